#!/bin/sh
# An exec provider's deleteCommand (see create.sh): stops the node's agent and waits for it.
set -eu
req=$(cat)
printf '%s\n' "$req" >>"$NODES/requests"
id=$(printf '%s' "$req" | sed -n 's/.*"nodeId":"\([^"]*\)".*/\1/p')
pid=$(cat "$NODES/$id/pid")
kill "$pid" 2>/dev/null || exit 0
while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done

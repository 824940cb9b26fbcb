#!/bin/sh
# A createCommand whose machine never comes up: it accepts the request, prints the node id,
# and no agent ever registers under it.
set -eu
req=$(cat)
printf '%s\n' "$req" >>"$NODES/requests"
printf '%s' "$req" | sed -n 's/.*"nodeId":"\([^"]*\)".*/\1/p'

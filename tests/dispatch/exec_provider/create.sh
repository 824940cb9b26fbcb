#!/bin/sh
# An exec provider's createCommand, as an operator would write one around a cloud CLI; this
# one starts batch-agent on this machine. Reads the request (JSON) on stdin, prints the node
# id. Environment: AGENT (batch-agent), NODES (a directory for the nodes' work dirs).
set -eu
req=$(cat)
printf '%s\n' "$req" >>"$NODES/requests"
# The value of a top-level or nested "key": string or number (protobuf's JSON is one line).
get() { printf '%s' "$req" | sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p"; }
id=$(get nodeId)
dir=$NODES/$id
mkdir -p "$dir"
echo "$id" >"$dir/node_id"
setsid "$AGENT" --scheduler "$(get scheduler)" --token-file "$(get joinTokenFile)" \
  --compute-environment "$(get computeEnvironment)" --work-dir "$dir" \
  --vcpus "$(get vcpus)" --memory-mib "$(get memoryMiB)" \
  >"$dir/agent.log" 2>&1 </dev/null &
echo $! >"$dir/pid"
echo "$id"

#!/bin/sh
# A deleteCommand with nothing to stop (see no_agent.sh): records the request.
set -eu
cat >>"$NODES/requests"
echo >>"$NODES/requests"

#!/bin/sh
# A createCommand whose cloud refuses: what batchd shows on the environment.
cat >/dev/null
echo 'quota exceeded for c2' >&2
exit 3

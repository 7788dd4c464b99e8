#!/bin/bash
# tt-healthcheck PORT PATH: exit 0 when http://127.0.0.1:PORT/PATH answers 200.
# bash's /dev/tcp instead of a Python one-liner: a probe every few seconds in every
# container must cost next to nothing (starting Python costs a tenth of a CPU second).
set -u
exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$2" >&3
read -r -t 5 _ status _ <&3 || exit 1
[ "$status" = "200" ]

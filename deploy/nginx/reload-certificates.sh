#!/bin/sh
# Run by the nginx image's entrypoint before nginx starts: reload nginx every hour in
# the background, so a certificate renewed by the letsencrypt profile is picked up.
(while sleep 3600; do nginx -s reload; done) &

#!/usr/bin/env bash
# Makes a self-signed certificate for the broker's TLS listener (8883) in deploy/mosquitto/certs/,
# for trying the compose stack. Production mounts a certificate from its own CA instead.
#   deploy/mosquitto/make-cert.sh [hostname] [directory]
set -euo pipefail
HOST="${1:-localhost}"
DIR="${2:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/certs}"
mkdir -p "$DIR"
openssl req -x509 -newkey rsa:2048 -sha256 -days 825 -nodes \
  -keyout "$DIR/tls.key" -out "$DIR/tls.crt" -subj "/CN=$HOST" \
  -addext "subjectAltName=DNS:$HOST,DNS:mosquitto,IP:127.0.0.1" 2>/dev/null
# Mosquitto 2 drops root before it loads certificates: the key must belong to the image's
# mosquitto user (uid 1883), which only root can arrange; otherwise it is left readable.
chmod 644 "$DIR/tls.crt"
if chown 1883:1883 "$DIR/tls.key" 2>/dev/null; then chmod 600 "$DIR/tls.key"; else chmod 644 "$DIR/tls.key"; fi
echo "$DIR/tls.crt, $DIR/tls.key"

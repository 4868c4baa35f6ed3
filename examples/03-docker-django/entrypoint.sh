#!/bin/sh
# Bring the database schema up to date, then run the container's command (gunicorn by default).
set -e

python manage.py migrate --noinput

exec "$@"

#!/bin/sh
# One-shot job (temporalio/admin-tools), run after the server is up and before the worker and the
# service start: creates the namespace when it is missing and registers the search attributes the
# BookingFulfillment workflow sets (workflows/search-attributes.ts). Safe to run on every start.
# Env: TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE (both also read by the temporal CLI),
#      TEMPORAL_NAMESPACE_RETENTION (e.g. 720h), SEARCH_ATTRIBUTES ("Name=Type ...").
set -eu

: "${TEMPORAL_ADDRESS:?}" "${TEMPORAL_NAMESPACE:?}" "${TEMPORAL_NAMESPACE_RETENTION:?}" "${SEARCH_ATTRIBUTES:?}"
ns=$TEMPORAL_NAMESPACE

# Namespace and search-attribute changes reach every server role through caches that refresh every
# few seconds, so each step is retried instead of assumed to be visible at once.
retry() {
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge 60 ]; then
      echo "setup: gave up after $attempt attempts: $*" >&2
      return 1
    fi
    attempt=$((attempt + 1))
    sleep 2
  done
}

quiet() { "$@" >/dev/null 2>&1; }

retry quiet temporal operator cluster health
echo "setup: Temporal is serving at $TEMPORAL_ADDRESS"

if quiet temporal operator namespace describe --namespace "$ns"; then
  echo "setup: namespace $ns exists"
else
  temporal operator namespace create --namespace "$ns" --retention "$TEMPORAL_NAMESPACE_RETENTION"
  retry quiet temporal operator namespace describe --namespace "$ns"
  echo "setup: namespace $ns created (retention $TEMPORAL_NAMESPACE_RETENTION)"
fi

registered_type() {
  temporal operator search-attribute list --namespace "$ns" 2>/dev/null | awk -v name="$1" '$1 == name { print $2 }'
}

# Succeeds once NAME has TYPE; creates it when missing. Servers differ on whether creating an existing
# attribute fails, so the outcome is always read back rather than taken from the create command.
ensure_attribute() {
  current=$(registered_type "$1")
  if [ "$current" = "$2" ]; then
    echo "setup: search attribute $1 ($2) is registered"
    return 0
  fi
  if [ -n "$current" ]; then
    echo "setup: search attribute $1 is $current in namespace $ns; the workflow needs $2" >&2
    exit 1
  fi
  temporal operator search-attribute create --namespace "$ns" --name "$1" --type "$2" >/dev/null || true
  return 1
}

query=''
for attribute in $SEARCH_ATTRIBUTES; do
  name=${attribute%%=*}
  type=${attribute#*=}
  retry ensure_attribute "$name" "$type"
  case $type in
    Datetime) clause="$name > \"2000-01-01T00:00:00Z\"" ;;
    Int | Double) clause="$name > 0" ;;
    Bool) clause="$name = true" ;;
    *) clause="$name = \"setup-probe\"" ;;
  esac
  query="${query:+$query AND }$clause"
done

# The frontend rejects a query naming an attribute it does not know yet; once this count succeeds,
# starts and upserts that use them are accepted too.
retry quiet temporal workflow count --namespace "$ns" --query "$query"
echo "setup: namespace $ns is ready"

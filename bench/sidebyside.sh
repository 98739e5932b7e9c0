#!/usr/bin/env bash
# sidebyside.sh - storefront pages against the bare-Django ceiling, interleaved in one run.
# (A copy of the team's shared tools/sidebyside.sh with the ports, the gunicorn binary and the
# ceiling's database as variables, so that several people can run it on one machine:
# SHOP_PORT (8120), CEILING_PORT (8130), GUNICORN (CHECKOUT/.venv/bin/gunicorn),
# CEILING_DATABASE_URL (postgres://postgres@127.0.0.1:5432/ceiling), COOKIE (sent with every
# shop request, e.g. "sessionid=…" to measure a signed-in shopper).)
#
# Usage: bench/sidebyside.sh CHECKOUT DATABASE_URL [SECONDS]
#   CHECKOUT: a clone of the project with its .venv made (make install-dev) and the database
#             seeded (seed_demo --products 100000). Served with config.settings.bench by gunicorn
#             gthread 4x2 on 127.0.0.1:SHOP_PORT (the project's own chosen shape).
#   The ceiling: tools/ceiling.sh's one-file site (one indexed query, no middleware), 5 sync
#             workers on 127.0.0.1:CEILING_PORT, started here and left running during the run.
# Each page: wrk -t2 -c16 for SECONDS (default 10) after a 3 s warm-up, and a ceiling run right
# before it; the ratio is page req/s / the mean of all ceiling runs. Prints one line per page and
# a last line: "worst ratio R (page)". Loopback only; every server started here is stopped.
set -euo pipefail
CO=$1; DB=$2; S=${3:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
SHOP_PORT=${SHOP_PORT:-8120}; CEILING_PORT=${CEILING_PORT:-8130}
GUNICORN=${GUNICORN:-$CO/.venv/bin/gunicorn}; COOKIE=${COOKIE:-}
CEILING_DATABASE_URL=${CEILING_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ceiling}
T=/tmp/sidebyside-$SHOP_PORT; mkdir -p "$T"
HDR=(); [ -z "$COOKIE" ] || HDR=(-H "Cookie: $COOKIE")
# the ceiling app, built by ceiling.sh once (run it first if /tmp/ceiling is missing)
CEILING_SH=${CEILING_SH:-$HERE/../../shared/tools/ceiling.sh}; [ -f "$CEILING_SH" ] || CEILING_SH=/work/shared/tools/ceiling.sh
[ -x /tmp/ceiling/venv/bin/gunicorn ] || DATABASE_URL=$CEILING_DATABASE_URL CEILING_PORT=$CEILING_PORT bash "$CEILING_SH"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done; }
trap cleanup EXIT
DATABASE_URL=$CEILING_DATABASE_URL setsid /tmp/ceiling/venv/bin/gunicorn ceiling_site:application --chdir /tmp/ceiling/app --workers 5 \
  --bind 127.0.0.1:$CEILING_PORT --error-logfile "$T/ceiling.log" >/dev/null 2>&1 & pids+=($!)
export DATABASE_URL=$DB REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/11} DJANGO_SETTINGS_MODULE=config.settings.bench DB_POOL_MAX=4
setsid bash -c "cd '$CO' && exec '$GUNICORN' config.wsgi:application -b 127.0.0.1:$SHOP_PORT -w 4 --threads 2 \
  --worker-class gthread --keep-alive 30 --log-level warning" >"$T/shop.log" 2>&1 & pids+=($!)
for _ in $(seq 1 60); do curl -sf -o /dev/null http://127.0.0.1:$SHOP_PORT/bench/one-query/ && curl -sf -o /dev/null http://127.0.0.1:$CEILING_PORT/ && break; sleep 1; done
ids=$(psql "$DB" -Atc "select id from catalog_product where status in (select unnest(array['on_sale','sold_out'])) order by random() limit 500" 2>/dev/null | tr '\n' ' ')
[ -n "$ids" ] || ids=$(psql "$DB" -Atc "select id from catalog_product order by random() limit 500" | tr '\n' ' ')
cat > "$T/pdp.lua" <<LUA
ids = { $(echo $ids | sed 's/ /, /g') }
request = function() return wrk.format("GET", "/products/" .. ids[math.random(#ids)] .. "/") end
LUA
l1=$(psql "$DB" -Atc "select slug from catalog_category where depth=0 order by position, id limit 1")
l3=$(psql "$DB" -Atc "select c.slug from catalog_category c join catalog_product p on p.category_id=c.id where c.depth=2 group by c.slug order by count(*) desc limit 1")
rps() { awk '$1=="Requests/sec:"{print int($2+0.5)}' "$1"; }
p95() { awk '$1=="90%"||$1=="99%"{print $1" "$2}' "$1" | tr '\n' ' '; }
ceil_sum=0; ceil_n=0
run_page() { # label url [lua]
  local label=$1 url=$2 lua=${3:-}
  wrk -t2 -c16 -d3s http://127.0.0.1:$CEILING_PORT/ >/dev/null 2>&1
  wrk -t2 -c16 -d${S}s --latency http://127.0.0.1:$CEILING_PORT/ >"$T/c.txt" 2>&1
  local c; c=$(rps "$T/c.txt"); ceil_sum=$((ceil_sum + c)); ceil_n=$((ceil_n + 1))
  local code; code=$(curl -s ${COOKIE:+-H "Cookie: $COOKIE"} -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SHOP_PORT$url")
  if [ -n "$lua" ]; then
    wrk "${HDR[@]}" -t2 -c16 -d3s -s "$lua" http://127.0.0.1:$SHOP_PORT >/dev/null 2>&1
    wrk "${HDR[@]}" -t2 -c16 -d${S}s --latency -s "$lua" http://127.0.0.1:$SHOP_PORT >"$T/p.txt" 2>&1
  else
    wrk "${HDR[@]}" -t2 -c16 -d3s "http://127.0.0.1:$SHOP_PORT$url" >/dev/null 2>&1
    wrk "${HDR[@]}" -t2 -c16 -d${S}s --latency "http://127.0.0.1:$SHOP_PORT$url" >"$T/p.txt" 2>&1
  fi
  local r; r=$(rps "$T/p.txt")
  local non2xx; non2xx=$(awk '/Non-2xx/{print $NF}' "$T/p.txt")
  printf '%-34s %6s req/s  ceiling %5s  ratio %.3f  status %s %s %s\n' "$label" "$r" "$c" "$(echo "$r / $c" | bc -l)" "$code" "${non2xx:+non2xx=$non2xx}" "$(p95 "$T/p.txt")"
  echo "$label|$r|$c" >>"$T/rows"
}
: >"$T/rows"
run_page "in-app bare view (all middleware)" /bench/one-query/
run_page "home" /
run_page "level-1 category $l1" "/category/$l1/"
run_page "level-3 filtered price sort" "/category/$l3/?price_min=10000&price_max=80000&in_stock=on&sort=price_asc"
run_page "category page 50" "/category/$l1/?page=50"
run_page "search 니트" "/search/?q=%EB%8B%88%ED%8A%B8"
run_page "product page (500 random)" /products/1/ "$T/pdp.lua"
awk -F'|' -v sum=$ceil_sum -v n=$ceil_n 'NR>1{r=$2/(sum/n); if(min==""||r<min){min=r;w=$1}} END{printf "ceiling mean %d req/s; worst ratio %.3f (%s)\n", sum/n, min, w}' "$T/rows"

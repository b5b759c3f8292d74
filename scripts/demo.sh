#!/usr/bin/env bash
# Builds hotline and loads the demo month (February 2024 of the Taiyuan 12345
# hotline: its 42 network units, work orders, surveys and appeals) into
# demo/hotline.db, prints the demo accounts and serves the web pages on it
# (http://127.0.0.1:8080/ unless HOTLINE_LISTEN says otherwise) until Ctrl-C.
# The server's clock stands at the end of the demo month (HOTLINE_NOW,
# 2024-02-29 18:00 unless set), so deadlines and overdue orders read as they
# did then; HOTLINE_NOW= (empty) runs it on the real clock.
# `scripts/demo.sh --no-serve` stops after loading.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

./scripts/bootstrap.sh
./scripts/web-assets.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
mkdir -p demo
rm -f demo/hotline.db demo/hotline.db-wal demo/hotline.db-shm
export HOTLINE_DB="$root/demo/hotline.db"
./build/hotline demo
./build/hotline verify
listen=${HOTLINE_LISTEN:-127.0.0.1:8080}
demo_now=${HOTLINE_NOW-2024-02-29 18:00}
cat <<EOT

hotline is ready.
Store: $HOTLINE_DB
It holds February 2024 of the Taiyuan 12345 hotline: the 42 network units, and the
month's work orders, surveys and appeals, from which the monthly bulletin gives the
figures the city published (25301 / 20914 / 82.66% / 12803 / 61.22%).

Web pages: http://$listen/   (中文; the English switch is in the top bar)
Demo accounts, all with the password hotline-demo:
  agent1, agent2   话务员 agent: 受理 intake desk
  dispatcher1      派单员 dispatcher: 派单 dispatch desk
  h-xiaodian       承办人 unit handler of 小店区 (one per unit: h-<unit code>, e.g. h-bus, h-yingze)
  surveyor1        回访员 surveyor: 回访 survey desk
  supervisor1      督办员 supervisor: 督办 supervision
  analyst1         分析员 analyst: 月度通报 bulletin (#/bulletin/2024-02)
  admin            管理员 administrator: 系统管理

The command line works on the same store:
  export HOTLINE_DB=$HOTLINE_DB
  ./build/hotline report --month 2024-02                  # 2024年2月满意度通报：段落、两张排名表、明细、注释
  ./build/hotline report --month 2024-02 --format xlsx --out demo/2024-02.xlsx
  HOTLINE_NOW='2024-02-29 18:00' ./build/hotline list --overdue
  ./build/hotline show 20240201000001                     # 一件工单及其处理记录、回访
  ./build/hotline --help                                  # 全部命令
EOT

if [ "${1:-}" = "--no-serve" ]; then
  exit 0
fi
echo
echo "Serving on http://$listen/ with the clock at ${demo_now:-the real time} (Ctrl-C stops)."
HOTLINE_NOW="$demo_now" exec ./build/hotline serve --listen "$listen" --web "$root/web"

#!/usr/bin/env bash
# Builds hotline and loads the demo month (February 2024 of the Taiyuan 12345
# hotline: its 42 network units, work orders, surveys and appeals) into
# demo/hotline.db, then shows where to start.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

./scripts/bootstrap.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
mkdir -p demo
rm -f demo/hotline.db demo/hotline.db-wal demo/hotline.db-shm
export HOTLINE_DB="$root/demo/hotline.db"
./build/hotline demo
./build/hotline verify
cat <<EOT

hotline is ready (command line; the web interface comes with the server).
Store: $HOTLINE_DB
It holds February 2024 of the Taiyuan 12345 hotline: the 42 network units, and the
month's work orders, surveys and appeals, from which the monthly bulletin gives the
figures the city published (25301 / 20914 / 82.66% / 12803 / 61.22%).

Try:
  export HOTLINE_DB=$HOTLINE_DB
  ./build/hotline report --month 2024-02                  # 2024年2月满意度通报：段落、两张排名表、明细、注释
  ./build/hotline report --month 2024-02 --format csv     # 每个单位一行：分组、排名、各项数字
  ./build/hotline report --month 2024-02 --format xlsx --out demo/2024-02.xlsx
  ./build/hotline report --month 2024-02 --format html --out demo/2024-02.html
  ./build/hotline report --month 2024-02 --method wilson  # 按满意率置信区间下限排名
  ./build/hotline list --state handling                   # 办理中的工单
  HOTLINE_NOW='2024-02-29 18:00' ./build/hotline list --overdue
  ./build/hotline show 20240201000001                     # 一件工单及其处理记录、回访
  ./build/hotline units                                   # 42 个网络单位
  ./build/hotline --help                                  # 全部命令
Demo accounts (use with --as): agent1 agent2 dispatcher1 supervisor1 surveyor1 analyst1 admin,
and one handler per unit: h-<unit code>, e.g. h-bus, h-yingze.
EOT

#!/usr/bin/env bash
# Builds hotline and loads the demo month (Taiyuan's 42 network units and
# February 2024 work orders) into demo/hotline.db, then shows where to start.
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

Try:
  export HOTLINE_DB=$HOTLINE_DB
  ./build/hotline list --state handling            # 办理中的工单
  HOTLINE_NOW='2024-02-29 18:00' ./build/hotline list --overdue
  ./build/hotline show 20240201000001               # 一件工单及其处理记录
  ./build/hotline units                             # 42 个网络单位
  ./build/hotline --help                            # 全部命令
Demo accounts (use with --as): agent1 dispatcher1 supervisor1 surveyor1 analyst1 admin,
and one handler per unit: h-<unit code>, e.g. h-bus, h-yingze.
EOT

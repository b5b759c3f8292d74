# nginx_balancer.sh: Debian's nginx as the balancer in front of several
# `hotline serve` processes on loopback, for the scenarios and bench/.
# Sourced; the caller's trap calls nginx_balancer_stop.
#
#   nginx_balancer_start DIR PORT BACKEND_PORT...   writes DIR/nginx.conf, starts nginx in
#                                                   the foreground (NGINX_PID), waits for PORT
#   nginx_balancer_stop                             stops it (SIGQUIT, then waits)
#
# The configuration is the one docs/deploy.md gives for production, minus TLS
# and the system paths: one upstream with every server, passive health checks
# (max_fails, fail_timeout: what open-source nginx has; an active check of
# /healthz is a feature of NGINX Plus), keep-alive connections to the
# servers, and a request passed to the next server only when it could not be
# sent to the first (nginx never resends a POST that reached a server).

NGINX_PID=""

nginx_balancer_start() {
    local dir=$1 port=$2
    shift 2
    local nginx
    nginx=$(command -v nginx || echo /usr/sbin/nginx)
    [ -x "$nginx" ] || {
        echo "nginx_balancer: nginx is missing (apt-get install nginx-light)" >&2
        return 1
    }
    mkdir -p "$dir/temp"
    local servers="" backend
    for backend in "$@"; do
        servers="$servers        server 127.0.0.1:$backend max_fails=1 fail_timeout=2s;
"
    done
    # As root, the workers would switch to nobody and lose the temp directory.
    local user_line=""
    [ "$(id -u)" -eq 0 ] && user_line="user root;"
    cat > "$dir/nginx.conf" << EOF
$user_line
worker_processes 2;
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 4096; }
http {
    log_format upstream '\$remote_addr \$upstream_addr \$status \$request_time "\$request"';
    access_log $dir/nginx-access.log upstream;
    client_body_temp_path $dir/temp;
    proxy_temp_path $dir/temp;
    fastcgi_temp_path $dir/temp;
    uwsgi_temp_path $dir/temp;
    scgi_temp_path $dir/temp;
    keepalive_requests 1000000;
    upstream hotline {
$servers        keepalive 64;
    }
    server {
        listen 127.0.0.1:$port;
        location / {
            proxy_pass http://hotline;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_next_upstream error timeout;
            proxy_connect_timeout 1s;
            proxy_read_timeout 60s;
        }
    }
}
EOF
    "$nginx" -p "$dir" -e "$dir/nginx-error.log" -c "$dir/nginx.conf" &
    NGINX_PID=$!
    local tries
    for tries in $(seq 1 100); do
        if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
            return 0
        fi
        kill -0 "$NGINX_PID" 2> /dev/null || break
        sleep 0.05
    done
    echo "nginx_balancer: nginx did not start: $(tail -5 "$dir/nginx-error.log" 2> /dev/null)" >&2
    return 1
}

nginx_balancer_stop() {
    if [ -n "$NGINX_PID" ]; then
        kill -QUIT "$NGINX_PID" 2> /dev/null || true
        { wait "$NGINX_PID"; } 2> /dev/null || true
        NGINX_PID=""
    fi
}

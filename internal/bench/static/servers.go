package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gowsgid/gowsgid/internal/bench/benchproc"
)

// server is one running server under test.
type server struct {
	*benchproc.Process
	addr string
}

// httpdConf is the configuration gowsgid and Apache both read: the
// event MPM, a document root, keep-alive without a request limit,
// sendfile, no access log. ${BENCH_PORT} and ${BENCH_SIDE} come from
// each one's environment.
const httpdConf = `ServerRoot %[1]s/httpd
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
Listen 127.0.0.1:${BENCH_PORT}
ServerName bench.test
PidFile logs/${BENCH_SIDE}.pid
ErrorLog logs/${BENCH_SIDE}-error.log
LogLevel warn
TypesConfig /etc/mime.types
Timeout 30
KeepAlive On
KeepAliveTimeout 30
MaxKeepAliveRequests 0
EnableSendfile On
DocumentRoot %[1]s/htdocs
<Directory />
    Options FollowSymLinks
    AllowOverride None
    Require all denied
</Directory>
<Directory %[1]s/htdocs>
    Require all granted
</Directory>
`

// nginxConf is the same site for nginx (worker_processes auto: one per
// core, as Debian ships it).
const nginxConf = `worker_processes auto;
daemon off;
pid %[1]s/nginx/nginx.pid;
error_log %[1]s/nginx/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 30s;
    client_body_temp_path %[1]s/nginx/tmp;
    proxy_temp_path %[1]s/nginx/tmp;
    fastcgi_temp_path %[1]s/nginx/tmp;
    uwsgi_temp_path %[1]s/nginx/tmp;
    scgi_temp_path %[1]s/nginx/tmp;
    server {
        listen 127.0.0.1:%[2]d;
        server_name bench.test;
        root %[1]s/htdocs;
    }
}
`

// startHTTPDConf starts gowsgid or apache2 (bin) in the foreground on the
// shared configuration.
func startHTTPDConf(ctx context.Context, name, dir, bin string) (*server, error) {
	conf := filepath.Join(dir, "httpd", "httpd.conf")
	if _, err := os.Stat(conf); err != nil {
		if err := os.MkdirAll(filepath.Join(dir, "httpd", "logs"), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(conf, []byte(fmt.Sprintf(httpdConf, dir)), 0o644); err != nil {
			return nil, err
		}
	}
	port, err := benchproc.FreePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "-DFOREGROUND", "-f", conf)
	cmd.Env = append(os.Environ(), "BENCH_PORT="+strconv.Itoa(port), "BENCH_SIDE="+name)
	return start(name, cmd, port, filepath.Join(dir, "httpd", "logs", name+"-error.log"))
}

// startNginx starts nginx in the foreground on its configuration.
func startNginx(ctx context.Context, dir string) (*server, error) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		return nil, fmt.Errorf("nginx is not installed (make bench installs it): %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "nginx", "tmp"), 0o755); err != nil {
		return nil, err
	}
	port, err := benchproc.FreePort()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "nginx", "nginx.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(nginxConf, dir, port)), 0o644); err != nil {
		return nil, err
	}
	log := filepath.Join(dir, "nginx", "error.log")
	cmd := exec.CommandContext(ctx, bin, "-p", filepath.Join(dir, "nginx"), "-e", log, "-c", conf)
	return start("nginx", cmd, port, log)
}

// start runs cmd and waits until it listens on port.
func start(name string, cmd *exec.Cmd, port int, errorLog string) (*server, error) {
	addr := benchproc.Loopback(port)
	p, err := benchproc.Start(name, cmd, []string{addr}, 10*time.Second, errorLog)
	if err != nil {
		return nil, err
	}
	return &server{Process: p, addr: addr}, nil
}

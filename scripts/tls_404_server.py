"""A loopback HTTPS server for scripts/test-release.sh (check lazy-ca): answers every request
with 404, so a git client that gets past the TLS handshake reports the status code, and one
that cannot verify the certificate reports that instead.
usage: tls_404_server.py CERT KEY PORT_FILE  (writes the port it listens on to PORT_FILE)"""
import http.server
import os
import ssl
import sys


class NotFound(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_error(404)

    do_POST = do_GET

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
server.socket = context.wrap_socket(server.socket, server_side=True)
with open(sys.argv[3] + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
os.replace(sys.argv[3] + ".tmp", sys.argv[3])
server.serve_forever()

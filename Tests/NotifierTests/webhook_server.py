# The webhook receiver of the notifier's tests: checks each POST's HMAC-SHA256 signature,
# answers 500 to the first three attempts of every delivery (and to every attempt for
# recipients listed in the file `reject`, until it is removed), then 200; records each
# accepted delivery as one JSON line in `accepted.jsonl`. Usage: webhook_server.py DIR SECRET
import hashlib, hmac, http.server, json, os, sys

directory, secret = sys.argv[1], sys.argv[2].encode()
attempts = {}

class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        if self.headers.get("X-Xieshang-Signature") != signature:
            self.send_response(401); self.end_headers(); return
        delivery = self.headers.get("X-Xieshang-Delivery")
        document = json.loads(body)
        attempts[delivery] = attempts.get(delivery, 0) + 1
        rejected = os.path.exists(os.path.join(directory, "reject")) and \
            str(document["recipient_id"]) in open(os.path.join(directory, "reject")).read().split()
        if attempts[delivery] <= 3 or rejected:
            self.send_response(500); self.end_headers(); return
        with open(os.path.join(directory, "accepted.jsonl"), "a") as f:
            f.write(json.dumps({"delivery": delivery, "attempts": attempts[delivery], **document}, ensure_ascii=False) + "\n")
        self.send_response(200); self.end_headers()

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(directory, "port"), "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()

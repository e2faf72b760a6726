#!/usr/bin/env python3
"""A TCP forwarder that records every byte it passes, for tests that check what travels
on the wire. Usage: tcp_capture.py TARGET_HOST TARGET_PORT CAPTURE_FILE
Listens on 127.0.0.1 on a free port, prints "listening PORT", forwards each connection to
the target, and appends the bytes of both directions to CAPTURE_FILE."""
import signal
import socket
import sys
import threading

# A parent that ignores SIGTERM passes that on; this helper must die when told to.
signal.signal(signal.SIGTERM, signal.SIG_DFL)
target = (sys.argv[1], int(sys.argv[2]))
capture = open(sys.argv[3], "ab", buffering=0)
lock = threading.Lock()


def pump(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            with lock:
                capture.write(data)
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print("listening", listener.getsockname()[1], flush=True)
while True:
    client, _ = listener.accept()
    upstream = socket.create_connection(target)
    threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
    threading.Thread(target=pump, args=(upstream, client), daemon=True).start()

/* The RPC floor of `make bench`: the same DEALER/ROUTER round trip as our RPC stack, in
 * plain C over libzmq, with nothing else. Build: cc -O2 rpc_floor.c -lzmq -o rpc_floor
 *
 *   rpc_floor server ENDPOINT              echo every request back (until killed)
 *   rpc_floor client ENDPOINT N CONCURRENCY  send N requests, CONCURRENCY outstanding at a
 *                                            time; print p50/p99 latency (µs) and ops/s as JSON
 */
#include <zmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include "bench_time.h"

static int server(const char *endpoint) {
    void *context = zmq_ctx_new();
    void *router = zmq_socket(context, ZMQ_ROUTER);
    if (zmq_bind(router, endpoint) != 0) { perror("bind"); return 1; }
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        zmq_msg_t parts[8];
        int count = 0, more = 1;
        while (more && count < 8) {
            zmq_msg_init(&parts[count]);
            if (zmq_msg_recv(&parts[count], router, 0) < 0) return 1;
            more = zmq_msg_more(&parts[count]);
            count++;
        }
        for (int i = 0; i < count; i++) zmq_msg_send(&parts[i], router, i < count - 1 ? ZMQ_SNDMORE : 0);
    }
}

static int client(const char *endpoint, long n, int concurrency) {
    void *context = zmq_ctx_new();
    void *dealer = zmq_socket(context, ZMQ_DEALER);
    zmq_connect(dealer, endpoint);
    uint64_t *sent = calloc((size_t)n, sizeof *sent);
    uint64_t *latency = calloc((size_t)n, sizeof *latency);
    /* A payload the size of a small request envelope. */
    char payload[64];
    memset(payload, 'x', sizeof payload);
    long next = 0, done = 0;
    uint64_t start = now_ns();
    while (done < n) {
        while (next < n && next - done < concurrency) {
            memcpy(payload, &next, sizeof next);
            sent[next] = now_ns();
            zmq_send(dealer, payload, sizeof payload, 0);
            next++;
        }
        char reply[64];
        if (zmq_recv(dealer, reply, sizeof reply, 0) < 0) return 1;
        long id;
        memcpy(&id, reply, sizeof id);
        latency[done++] = now_ns() - sent[id];
    }
    double seconds = (double)(now_ns() - start) / 1e9;
    qsort(latency, (size_t)n, sizeof *latency, compare);
    printf("{\"p50Us\": %.1f, \"p99Us\": %.1f, \"throughput\": %.1f}\n",
           latency[n / 2] / 1000.0, latency[(long)(n * 0.99)] / 1000.0, n / seconds);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "server") == 0) return server(argv[2]);
    if (argc >= 5 && strcmp(argv[1], "client") == 0) return client(argv[2], atol(argv[3]), atoi(argv[4]));
    fprintf(stderr, "usage: rpc_floor server ENDPOINT | rpc_floor client ENDPOINT N CONCURRENCY\n");
    return 64;
}

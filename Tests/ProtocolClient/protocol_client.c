/*
 * A Xieshang client in C, written from docs/PROTOCOL.md and proto/ alone (protoc-c and
 * libzmq; nothing of the Swift code). It proves the protocol document: with CURVE keys from
 * a `gateway keys setup` folder it calls member-registry on a DEALER and on a REQ socket,
 * gets a reply and errors, subscribes to the registry's events and receives the event its
 * own call caused.
 *
 *   protocol_client RPC-ENDPOINT EVENT-ENDPOINT KEYS-DIR IDENTITY
 *
 * Prints one line per step; exits 0 when every step got what PROTOCOL.md says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "xieshang/rpc/v1/rpc.pb-c.h"
#include "xieshang/event/v1/event.pb-c.h"
#include "xieshang/member/v1/member.pb-c.h"

static int failures = 0;

static void check(int ok, const char *what) {
    printf("%s %s\n", ok ? "ok" : "FAILED", what);
    if (!ok) failures++;
}

/* Reads `name = "value"` from a key file (PROTOCOL.md, "Security"). */
static int read_key(const char *dir, const char *file, const char *name, char out[41]) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); return -1; }
    char line[512];
    int found = -1;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        while (*p == ' ') p++;
        if (*p == '#' || strncmp(p, name, strlen(name)) != 0) continue;
        char *open = strchr(p, '"');
        char *close = open ? strchr(open + 1, '"') : NULL;
        if (open && close && close - open - 1 == 40) {
            memcpy(out, open + 1, 40);
            out[40] = 0;
            found = 0;
        }
    }
    fclose(f);
    return found;
}

static void *curve_client(void *context, int type, const char *keys, const char *identity, const char *service) {
    char file[256], public_key[41], secret_key[41], server_key[41];
    snprintf(file, sizeof file, "%s.key", identity);
    if (read_key(keys, file, "public-key", public_key) || read_key(keys, file, "secret-key", secret_key)) exit(2);
    snprintf(file, sizeof file, "%s.pub", service);
    if (read_key(keys, file, "public-key", server_key)) exit(2);
    void *socket = zmq_socket(context, type);
    int timeout = 5000, linger = 500;
    int64_t max = 4 << 20;
    zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, server_key, 40);
    zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, public_key, 40);
    zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, secret_key, 40);
    zmq_setsockopt(socket, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(socket, ZMQ_MAXMSGSIZE, &max, sizeof max);
    return socket;
}

/* One call: sends [Request] (or, on a REQ socket, the same: libzmq adds the empty frame),
 * receives [Response]. Returns the unpacked response, or NULL after the timeout. */
static Xieshang__Rpc__V1__Response *call(void *socket, const char *method, const char *id,
                                         const ProtobufCMessage *body, uint32_t deadline_ms) {
    Xieshang__Rpc__V1__Request request = XIESHANG__RPC__V1__REQUEST__INIT;
    request.method = (char *)method;
    request.request_id = (char *)id;
    request.deadline_ms = deadline_ms;
    request.caller = "protocol-client";
    uint8_t *packed_body = NULL;
    if (body) {
        request.body.len = protobuf_c_message_get_packed_size(body);
        packed_body = malloc(request.body.len + 1);
        protobuf_c_message_pack(body, packed_body);
        request.body.data = packed_body;
    }
    size_t size = xieshang__rpc__v1__request__get_packed_size(&request);
    uint8_t *bytes = malloc(size);
    xieshang__rpc__v1__request__pack(&request, bytes);
    zmq_send(socket, bytes, size, 0);
    free(bytes);
    free(packed_body);

    static uint8_t buffer[4 << 20];
    int n = zmq_recv(socket, buffer, sizeof buffer, 0);
    if (n < 0) return NULL;
    int more = 0;
    size_t more_size = sizeof more;
    zmq_getsockopt(socket, ZMQ_RCVMORE, &more, &more_size);
    if (more) return NULL; /* one frame expected */
    return xieshang__rpc__v1__response__unpack(NULL, (size_t)n, buffer);
}

static int code(const Xieshang__Rpc__V1__Response *r) {
    return r && r->status ? (int)r->status->code : -1;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s RPC-ENDPOINT EVENT-ENDPOINT KEYS-DIR IDENTITY\n", argv[0]);
        return 64;
    }
    const char *rpc = argv[1], *events = argv[2], *keys = argv[3], *identity = argv[4];
    void *context = zmq_ctx_new();

    /* Events first, so the subscription is up when the change happens. */
    void *sub = curve_client(context, ZMQ_SUB, keys, identity, "member-registry");
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    zmq_connect(sub, events);

    void *dealer = curve_client(context, ZMQ_DEALER, keys, identity, "member-registry");
    zmq_connect(dealer, rpc);

    /* 1. Health/Check: OK, with the service's name. */
    Xieshang__Rpc__V1__Response *r = call(dealer, "rpc.v1.Health/Check", "c-health", NULL, 5000);
    if (!r) {
        /* A key the service does not allow never completes its handshake: no reply comes,
         * only the client's own timeout (PROTOCOL.md, "When no reply comes"). */
        check(0, "Health/Check on a DEALER: no reply within 5 s");
        return 1;
    }
    Xieshang__Rpc__V1__HealthCheckResponse *health =
        code(r) == 0 ? xieshang__rpc__v1__health_check_response__unpack(NULL, r->body.len, r->body.data) : NULL;
    check(health && strcmp(health->service, "member-registry") == 0
              && health->status == XIESHANG__RPC__V1__SERVING_STATUS__SERVING_STATUS_SERVING,
          "Health/Check on a DEALER: OK from member-registry");
    if (health) xieshang__rpc__v1__health_check_response__free_unpacked(health, NULL);
    if (r) xieshang__rpc__v1__response__free_unpacked(r, NULL);

    /* 2. A member that does not exist: NOT_FOUND with a message. */
    Xieshang__Member__V1__GetMemberRequest get = XIESHANG__MEMBER__V1__GET_MEMBER_REQUEST__INIT;
    get.id = 424242;
    r = call(dealer, "member.v1.Members/Get", "c-get", &get.base, 5000);
    check(code(r) == XIESHANG__RPC__V1__STATUS_CODE__NOT_FOUND && r->status->message[0] != 0,
          "Members/Get of an unknown id: NOT_FOUND");
    if (r) printf("   message: %s\n", r->status->message);
    if (r) xieshang__rpc__v1__response__free_unpacked(r, NULL);

    /* 3. The package spelt with "xieshang.": UNIMPLEMENTED. */
    r = call(dealer, "xieshang.member.v1.Terms/List", "c-spelling", NULL, 5000);
    check(code(r) == XIESHANG__RPC__V1__STATUS_CODE__UNIMPLEMENTED, "xieshang.-prefixed method: UNIMPLEMENTED");
    if (r) xieshang__rpc__v1__response__free_unpacked(r, NULL);

    /* 4. deadline_ms 0: DEADLINE_EXCEEDED at once. */
    r = call(dealer, "member.v1.Terms/List", "c-deadline", NULL, 0);
    check(code(r) == XIESHANG__RPC__V1__STATUS_CODE__DEADLINE_EXCEEDED, "deadline_ms 0: DEADLINE_EXCEEDED");
    if (r) xieshang__rpc__v1__response__free_unpacked(r, NULL);

    /* 5. A bad field: INVALID_ARGUMENT listing it. */
    Xieshang__Member__V1__Term bad_term = XIESHANG__MEMBER__V1__TERM__INIT;
    bad_term.number = 7;
    bad_term.start_date = "2031-13-45";
    bad_term.end_date = "2036-01-14";
    Xieshang__Member__V1__CreateTermRequest bad = XIESHANG__MEMBER__V1__CREATE_TERM_REQUEST__INIT;
    bad.term = &bad_term;
    r = call(dealer, "member.v1.Terms/Create", "c-bad-term", &bad.base, 5000);
    check(code(r) == XIESHANG__RPC__V1__STATUS_CODE__INVALID_ARGUMENT && r->status->n_violations >= 1
              && strcmp(r->status->violations[0]->field, "term.start_date") == 0,
          "Terms/Create with a bad date: INVALID_ARGUMENT naming term.start_date");
    if (r) xieshang__rpc__v1__response__free_unpacked(r, NULL);

    /* 6. A change: a term, then a member, which writes the event member.added. */
    Xieshang__Member__V1__Term term = XIESHANG__MEMBER__V1__TERM__INIT;
    term.number = 5;
    term.start_date = "2022-01-15";
    term.end_date = "2027-01-14";
    Xieshang__Member__V1__CreateTermRequest create_term = XIESHANG__MEMBER__V1__CREATE_TERM_REQUEST__INIT;
    create_term.term = &term;
    r = call(dealer, "member.v1.Terms/Create", "c-term", &create_term.base, 5000);
    check(code(r) == 0, "Terms/Create: OK");
    if (r) xieshang__rpc__v1__response__free_unpacked(r, NULL);

    Xieshang__Member__V1__Member member = XIESHANG__MEMBER__V1__MEMBER__INIT;
    member.member_number = "7001";
    member.name = "王芳";
    member.sector = "经济界";
    Xieshang__Member__V1__CreateMemberRequest create = XIESHANG__MEMBER__V1__CREATE_MEMBER_REQUEST__INIT;
    create.member = &member;
    r = call(dealer, "member.v1.Members/Create", "c-member", &create.base, 5000);
    int64_t created = 0;
    if (code(r) == 0) {
        Xieshang__Member__V1__CreateMemberResponse *response =
            xieshang__member__v1__create_member_response__unpack(NULL, r->body.len, r->body.data);
        if (response && response->member) created = response->member->id;
        if (response) xieshang__member__v1__create_member_response__free_unpacked(response, NULL);
    }
    check(created > 0, "Members/Create: OK with the new member's id");
    if (r) xieshang__rpc__v1__response__free_unpacked(r, NULL);

    /* 7. The same request id again: the stored reply, nothing done twice. */
    r = call(dealer, "member.v1.Members/Create", "c-member", &create.base, 5000);
    check(code(r) == 0, "the same request id again: the stored reply (OK, not ALREADY_EXISTS)");
    if (r) xieshang__rpc__v1__response__free_unpacked(r, NULL);

    /* 8. The event: [type, Event] on the SUB socket. */
    char type[128] = {0};
    int got_event = 0;
    for (int i = 0; i < 10 && !got_event; i++) {
        int n = zmq_recv(sub, type, sizeof type - 1, 0);
        if (n < 0) break;
        type[n < (int)sizeof type ? n : (int)sizeof type - 1] = 0;
        static uint8_t frame[4 << 20];
        int m = zmq_recv(sub, frame, sizeof frame, 0);
        if (m < 0) break;
        Xieshang__Event__V1__Event *event = xieshang__event__v1__event__unpack(NULL, (size_t)m, frame);
        if (event && strcmp(type, "member.added") == 0 && strcmp(event->type, "member.added") == 0
            && strcmp(event->source, "member-registry") == 0 && event->sequence >= 1
            && strcmp(event->payload_type, "xieshang.member.v1.MemberEvent") == 0) {
            got_event = 1;
            printf("   event: %s #%llu from %s\n", event->type, (unsigned long long)event->sequence, event->source);
        }
        if (event) xieshang__event__v1__event__free_unpacked(event, NULL);
    }
    check(got_event, "the SUB socket received [member.added, Event] from member-registry");

    /* 9. A REQ socket: the same call, REQ-style framing. */
    void *req = curve_client(context, ZMQ_REQ, keys, identity, "member-registry");
    zmq_connect(req, rpc);
    r = call(req, "rpc.v1.Health/Check", "c-req", NULL, 5000);
    check(code(r) == 0, "Health/Check on a REQ socket: OK");
    if (r) xieshang__rpc__v1__response__free_unpacked(r, NULL);

    zmq_close(req);
    zmq_close(dealer);
    zmq_close(sub);
    zmq_ctx_term(context);
    printf("%d failed\n", failures);
    return failures == 0 ? 0 : 1;
}

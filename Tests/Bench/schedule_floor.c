/* The schedule-and-publish floor of `make bench`: the same logical work as loadtest's
 * `schedule` operation against meeting-scheduler, in plain C over libzmq, protobuf-c and
 * SQLite, with nothing else: three calls (Schedule, Invite 2-5 members, Publish), each
 * request and reply a protobuf message of the suite's own .proto; the scheduler asks a
 * registry process for the room and the term on Schedule and for the members on Invite
 * (Rooms/Get, Terms/List, Members/BatchGet); it scans the room's and each member's calendar
 * for conflicts, writes the meeting, its invitees and their busy times, the stored reply of
 * each call and, on Publish, the event in an outbox, each call one transaction of prepared
 * statements on SQLite in WAL mode with synchronous=NORMAL. One thread serves a request at a
 * time, as a plain C server would.
 *
 * Build: cc -O2 -I Sources/CXieshangProto/include schedule_floor.c member.pb-c.c meeting.pb-c.c
 *        -lzmq -lprotobuf-c -lsqlite3
 *
 *   schedule_floor registry ENDPOINT ROOMS
 *   schedule_floor scheduler ENDPOINT REGISTRY_ENDPOINT DATABASE
 *   schedule_floor client ENDPOINT OPERATIONS CALLERS ROOMS MEMBERS HORIZON_DAYS
 *       runs OPERATIONS operations with CALLERS outstanding; prints JSON: operations ended
 *       a second, p50/p99 (ms) of an operation, and how many were refused (a room or member
 *       conflict, which ends the operation), as loadtest counts them. `make bench` runs as
 *       many as loadtest did against our scheduler, on the same rooms, members and horizon,
 *       so that the calendars fill alike and the two refuse at the same rate.
 *
 * Frames: DEALER → ROUTER, one frame: an 8-byte tag the reply carries back, a method byte
 * ('S' schedule, 'I' invite, 'P' publish; 'R' room, 'T' terms, 'M' members to the registry),
 * then the request's protobuf. A reply is the tag, a status byte (0 ok, 9 refused) and the
 * reply's protobuf.
 */
#include <zmq.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include "bench_time.h"
#include "xieshang/member/v1/member.pb-c.h"
#include "xieshang/meeting/v1/meeting.pb-c.h"

#define MAX_FRAME 65536


static void die(const char *what) { fprintf(stderr, "schedule_floor: %s\n", what); exit(1); }

/* Sends [identity][tag status body] on a ROUTER. */
static void reply(void *router, zmq_msg_t *identity, const uint8_t *tag, uint8_t status, const uint8_t *body, size_t length) {
    uint8_t frame[MAX_FRAME];
    memcpy(frame, tag, 8);
    frame[8] = status;
    memcpy(frame + 9, body, length);
    zmq_msg_send(identity, router, ZMQ_SNDMORE);
    zmq_send(router, frame, 9 + length, 0);
}

/* A request's handler: fills `out` with the reply's protobuf, returns its length, sets the status. */
typedef size_t (*Handler)(uint8_t method, const uint8_t *body, size_t length, uint8_t *out, uint8_t *status);

/* Serves a ROUTER at `endpoint` with `handle`, one request at a time, until killed. */
static int serve(void *context, const char *endpoint, Handler handle) {
    void *router = zmq_socket(context, ZMQ_ROUTER);
    if (zmq_bind(router, endpoint) != 0) die("bind");
    printf("ready\n");
    fflush(stdout);
    uint8_t frame[MAX_FRAME], out[MAX_FRAME];
    for (;;) {
        zmq_msg_t identity;
        zmq_msg_init(&identity);
        if (zmq_msg_recv(&identity, router, 0) < 0) return 1;
        int n = zmq_recv(router, frame, sizeof frame, 0);
        if (n >= 9) {
            uint8_t status = 12;
            size_t size = handle(frame[8], frame + 9, (size_t)n - 9, out, &status);
            reply(router, &identity, frame, status, out, size);
        }
        zmq_msg_close(&identity);
    }
}

/* --- registry ------------------------------------------------------------------------ */

static int registry_rooms;

static size_t registry_handle(uint8_t method, const uint8_t *body, size_t length, uint8_t *out, uint8_t *status) {
    *status = 0;
    switch (method) {
    case 'R': {
        Xieshang__Member__V1__GetRoomRequest *request = xieshang__member__v1__get_room_request__unpack(NULL, length, body);
        Xieshang__Member__V1__Room room = XIESHANG__MEMBER__V1__ROOM__INIT;
        room.id = request ? request->id : 0;
        room.name = "协商议事室";
        room.capacity = 40;
        Xieshang__Member__V1__GetRoomResponse response = XIESHANG__MEMBER__V1__GET_ROOM_RESPONSE__INIT;
        response.room = &room;
        if (request) xieshang__member__v1__get_room_request__free_unpacked(request, NULL);
        if (room.id < 1 || room.id > registry_rooms) *status = 5;
        return xieshang__member__v1__get_room_response__pack(&response, out);
    }
    case 'T': {
        Xieshang__Member__V1__Term term = XIESHANG__MEMBER__V1__TERM__INIT;
        term.number = 5;
        term.start_date = "2022-01-15";
        term.end_date = "2099-01-14";
        term.current = 1;
        Xieshang__Member__V1__Term *terms[] = {&term};
        Xieshang__Member__V1__ListTermsResponse response = XIESHANG__MEMBER__V1__LIST_TERMS_RESPONSE__INIT;
        response.n_terms = 1;
        response.terms = terms;
        return xieshang__member__v1__list_terms_response__pack(&response, out);
    }
    case 'M': {
        Xieshang__Member__V1__BatchGetMembersRequest *request = xieshang__member__v1__batch_get_members_request__unpack(NULL, length, body);
        size_t count = request ? request->n_ids : 0;
        Xieshang__Member__V1__Member found[8], *list[8];
        char names[8][32];
        if (count > 8) count = 8;
        for (size_t i = 0; i < count; i++) {
            Xieshang__Member__V1__Member member = XIESHANG__MEMBER__V1__MEMBER__INIT;
            found[i] = member;
            found[i].id = request->ids[i];
            snprintf(names[i], sizeof names[i], "委员%lld", (long long)request->ids[i]);
            found[i].name = names[i];
            found[i].sector = "经济界";
            found[i].term = 5;
            found[i].status = XIESHANG__MEMBER__V1__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
            list[i] = &found[i];
        }
        Xieshang__Member__V1__BatchGetMembersResponse response = XIESHANG__MEMBER__V1__BATCH_GET_MEMBERS_RESPONSE__INIT;
        response.n_members = count;
        response.members = list;
        size_t size = xieshang__member__v1__batch_get_members_response__pack(&response, out);
        if (request) xieshang__member__v1__batch_get_members_request__free_unpacked(request, NULL);
        return size;
    }
    default:
        *status = 12;
        return 0;
    }
}

static int registry(const char *endpoint, int rooms) {
    registry_rooms = rooms;
    return serve(zmq_ctx_new(), endpoint, registry_handle);
}

/* --- scheduler ----------------------------------------------------------------------- */

static sqlite3 *db;
static void *registry_socket;
static sqlite3_stmt *begin, *commit, *rollback, *room_conflict, *insert_meeting, *load_meeting, *member_conflict,
    *insert_invitee, *insert_busy, *publish, *insert_event, *insert_reply;
static int64_t next_request_id;

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL) != SQLITE_OK) die(sqlite3_errmsg(db));
    return statement;
}

static void run(sqlite3_stmt *statement) {
    int status = sqlite3_step(statement);
    if (status != SQLITE_DONE && status != SQLITE_ROW) die(sqlite3_errmsg(db));
    sqlite3_reset(statement);
}

/* One round trip to the registry; returns the reply's body length (status in *status). */
static int ask_registry(uint8_t method, const uint8_t *body, size_t length, uint8_t *answer, uint8_t *status) {
    uint8_t frame[MAX_FRAME];
    memset(frame, 0, 8);
    frame[8] = method;
    memcpy(frame + 9, body, length);
    zmq_send(registry_socket, frame, 9 + length, 0);
    int n = zmq_recv(registry_socket, frame, sizeof frame, 0);
    if (n < 9) die("registry reply");
    *status = frame[8];
    memcpy(answer, frame + 9, (size_t)n - 9);
    return n - 9;
}

static void store_reply(const uint8_t *body, size_t length) {
    sqlite3_bind_int64(insert_reply, 1, ++next_request_id);
    sqlite3_bind_blob(insert_reply, 2, body, (int)length, SQLITE_STATIC);
    run(insert_reply);
}

static size_t schedule(const uint8_t *body, size_t length, uint8_t *out, uint8_t *status) {
    Xieshang__Meeting__V1__ScheduleMeetingRequest *request = xieshang__meeting__v1__schedule_meeting_request__unpack(NULL, length, body);
    if (!request || !request->meeting) { *status = 3; return 0; }
    Xieshang__Meeting__V1__Meeting *m = request->meeting;
    uint8_t buffer[MAX_FRAME], answer[MAX_FRAME], registry_status;
    Xieshang__Member__V1__GetRoomRequest room = XIESHANG__MEMBER__V1__GET_ROOM_REQUEST__INIT;
    room.id = m->room_id;
    size_t n = xieshang__member__v1__get_room_request__pack(&room, buffer);
    int got = ask_registry('R', buffer, n, answer, &registry_status);
    Xieshang__Member__V1__GetRoomResponse *found = xieshang__member__v1__get_room_response__unpack(NULL, (size_t)got, answer);
    if (found) xieshang__member__v1__get_room_response__free_unpacked(found, NULL);
    Xieshang__Member__V1__ListTermsRequest terms = XIESHANG__MEMBER__V1__LIST_TERMS_REQUEST__INIT;
    n = xieshang__member__v1__list_terms_request__pack(&terms, buffer);
    got = ask_registry('T', buffer, n, answer, &registry_status);
    Xieshang__Member__V1__ListTermsResponse *listed = xieshang__member__v1__list_terms_response__unpack(NULL, (size_t)got, answer);
    if (listed) xieshang__member__v1__list_terms_response__free_unpacked(listed, NULL);
    size_t size = 0;
    run(begin);
    sqlite3_bind_int64(room_conflict, 1, m->room_id);
    sqlite3_bind_int64(room_conflict, 2, m->end_ms);
    sqlite3_bind_int64(room_conflict, 3, m->start_ms);
    int conflict = sqlite3_step(room_conflict) == SQLITE_ROW;
    sqlite3_reset(room_conflict);
    if (conflict) {
        run(rollback);
        *status = 9;
    } else {
        m->status = XIESHANG__MEETING__V1__MEETING_STATUS__MEETING_STATUS_DRAFT;
        m->term = 5;
        size_t encoded = xieshang__meeting__v1__meeting__pack(m, buffer);
        sqlite3_bind_int64(insert_meeting, 1, m->room_id);
        sqlite3_bind_int64(insert_meeting, 2, m->start_ms);
        sqlite3_bind_int64(insert_meeting, 3, m->end_ms);
        sqlite3_bind_blob(insert_meeting, 4, buffer, (int)encoded, SQLITE_STATIC);
        run(insert_meeting);
        m->id = sqlite3_last_insert_rowid(db);
        Xieshang__Meeting__V1__ScheduleMeetingResponse response = XIESHANG__MEETING__V1__SCHEDULE_MEETING_RESPONSE__INIT;
        response.meeting = m;
        size = xieshang__meeting__v1__schedule_meeting_response__pack(&response, out);
        store_reply(out, size);
        run(commit);
        *status = 0;
    }
    xieshang__meeting__v1__schedule_meeting_request__free_unpacked(request, NULL);
    return size;
}

static size_t invite(const uint8_t *body, size_t length, uint8_t *out, uint8_t *status) {
    Xieshang__Meeting__V1__InviteRequest *request = xieshang__meeting__v1__invite_request__unpack(NULL, length, body);
    if (!request) { *status = 3; return 0; }
    uint8_t buffer[MAX_FRAME], answer[MAX_FRAME], registry_status;
    Xieshang__Member__V1__BatchGetMembersRequest members = XIESHANG__MEMBER__V1__BATCH_GET_MEMBERS_REQUEST__INIT;
    members.n_ids = request->n_member_ids;
    members.ids = request->member_ids;
    size_t n = xieshang__member__v1__batch_get_members_request__pack(&members, buffer);
    int got = ask_registry('M', buffer, n, answer, &registry_status);
    Xieshang__Member__V1__BatchGetMembersResponse *found = xieshang__member__v1__batch_get_members_response__unpack(NULL, (size_t)got, answer);
    size_t size = 0;
    run(begin);
    sqlite3_bind_int64(load_meeting, 1, request->meeting_id);
    int64_t start = 0, end = 0;
    if (sqlite3_step(load_meeting) == SQLITE_ROW) {
        start = sqlite3_column_int64(load_meeting, 0);
        end = sqlite3_column_int64(load_meeting, 1);
    }
    sqlite3_reset(load_meeting);
    int conflict = 0;
    for (size_t i = 0; i < request->n_member_ids && !conflict; i++) {
        sqlite3_bind_int64(member_conflict, 1, request->member_ids[i]);
        sqlite3_bind_int64(member_conflict, 2, end);
        sqlite3_bind_int64(member_conflict, 3, start);
        conflict = sqlite3_step(member_conflict) == SQLITE_ROW;
        sqlite3_reset(member_conflict);
    }
    if (conflict || end == 0) {
        run(rollback);
        *status = 9;
    } else {
        Xieshang__Meeting__V1__Invitee invitees[8], *list[8];
        size_t count = request->n_member_ids > 8 ? 8 : request->n_member_ids;
        for (size_t i = 0; i < count; i++) {
            sqlite3_bind_int64(insert_invitee, 1, request->meeting_id);
            sqlite3_bind_int64(insert_invitee, 2, request->member_ids[i]);
            run(insert_invitee);
            sqlite3_bind_int64(insert_busy, 1, request->member_ids[i]);
            sqlite3_bind_int64(insert_busy, 2, start);
            sqlite3_bind_int64(insert_busy, 3, end);
            sqlite3_bind_int64(insert_busy, 4, request->meeting_id);
            run(insert_busy);
            Xieshang__Meeting__V1__Invitee invitee = XIESHANG__MEETING__V1__INVITEE__INIT;
            invitees[i] = invitee;
            invitees[i].meeting_id = request->meeting_id;
            invitees[i].member_id = request->member_ids[i];
            invitees[i].name = found && i < found->n_members ? found->members[i]->name : "";
            invitees[i].required = 1;
            invitees[i].attendance = XIESHANG__MEETING__V1__ATTENDANCE__ATTENDANCE_INVITED;
            list[i] = &invitees[i];
        }
        Xieshang__Meeting__V1__InviteResponse response = XIESHANG__MEETING__V1__INVITE_RESPONSE__INIT;
        response.n_invitees = count;
        response.invitees = list;
        size = xieshang__meeting__v1__invite_response__pack(&response, out);
        store_reply(out, size);
        run(commit);
        *status = 0;
    }
    if (found) xieshang__member__v1__batch_get_members_response__free_unpacked(found, NULL);
    xieshang__meeting__v1__invite_request__free_unpacked(request, NULL);
    return size;
}

static size_t publish_meeting(const uint8_t *body, size_t length, uint8_t *out, uint8_t *status) {
    Xieshang__Meeting__V1__PublishMeetingRequest *request = xieshang__meeting__v1__publish_meeting_request__unpack(NULL, length, body);
    if (!request) { *status = 3; return 0; }
    size_t size = 0;
    run(begin);
    sqlite3_bind_int64(load_meeting, 1, request->id);
    Xieshang__Meeting__V1__Meeting *m = NULL;
    if (sqlite3_step(load_meeting) == SQLITE_ROW) {
        m = xieshang__meeting__v1__meeting__unpack(NULL, (size_t)sqlite3_column_bytes(load_meeting, 2), sqlite3_column_blob(load_meeting, 2));
    }
    sqlite3_reset(load_meeting);
    if (!m) {
        run(rollback);
        *status = 5;
    } else {
        uint8_t buffer[MAX_FRAME];
        m->id = request->id;
        m->status = XIESHANG__MEETING__V1__MEETING_STATUS__MEETING_STATUS_PUBLISHED;
        size_t encoded = xieshang__meeting__v1__meeting__pack(m, buffer);
        sqlite3_bind_blob(publish, 1, buffer, (int)encoded, SQLITE_STATIC);
        sqlite3_bind_int64(publish, 2, request->id);
        run(publish);
        Xieshang__Meeting__V1__MeetingEvent event = XIESHANG__MEETING__V1__MEETING_EVENT__INIT;
        event.meeting = m;
        encoded = xieshang__meeting__v1__meeting_event__pack(&event, buffer);
        sqlite3_bind_blob(insert_event, 1, buffer, (int)encoded, SQLITE_STATIC);
        run(insert_event);
        Xieshang__Meeting__V1__PublishMeetingResponse response = XIESHANG__MEETING__V1__PUBLISH_MEETING_RESPONSE__INIT;
        response.meeting = m;
        size = xieshang__meeting__v1__publish_meeting_response__pack(&response, out);
        store_reply(out, size);
        run(commit);
        *status = 0;
        xieshang__meeting__v1__meeting__free_unpacked(m, NULL);
    }
    xieshang__meeting__v1__publish_meeting_request__free_unpacked(request, NULL);
    return size;
}

static size_t scheduler_handle(uint8_t method, const uint8_t *body, size_t length, uint8_t *out, uint8_t *status) {
    switch (method) {
    case 'S': return schedule(body, length, out, status);
    case 'I': return invite(body, length, out, status);
    case 'P': return publish_meeting(body, length, out, status);
    default: *status = 12; return 0;
    }
}

static int scheduler(const char *endpoint, const char *registry_endpoint, const char *path) {
    if (sqlite3_open(path, &db) != SQLITE_OK) die("open");
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "CREATE TABLE IF NOT EXISTS meetings (id INTEGER PRIMARY KEY, room_id INTEGER NOT NULL, start_ms INTEGER NOT NULL,"
                     "  end_ms INTEGER NOT NULL, status INTEGER NOT NULL, body BLOB NOT NULL);"
                     "CREATE INDEX IF NOT EXISTS meetings_by_room ON meetings(room_id, start_ms);"
                     "CREATE TABLE IF NOT EXISTS invitees (meeting_id INTEGER NOT NULL, member_id INTEGER NOT NULL,"
                     "  PRIMARY KEY (meeting_id, member_id)) WITHOUT ROWID;"
                     "CREATE TABLE IF NOT EXISTS member_busy (member_id INTEGER NOT NULL, start_ms INTEGER NOT NULL,"
                     "  end_ms INTEGER NOT NULL, meeting_id INTEGER NOT NULL);"
                     "CREATE INDEX IF NOT EXISTS member_busy_by_member ON member_busy(member_id, start_ms);"
                     "CREATE TABLE IF NOT EXISTS outbox (sequence INTEGER PRIMARY KEY, type TEXT NOT NULL, payload BLOB NOT NULL);"
                     "CREATE TABLE IF NOT EXISTS replies (request_id INTEGER PRIMARY KEY, body BLOB NOT NULL);",
                 NULL, NULL, NULL);
    begin = prepare("BEGIN IMMEDIATE");
    commit = prepare("COMMIT");
    rollback = prepare("ROLLBACK");
    room_conflict = prepare("SELECT id FROM meetings WHERE room_id = ? AND status != 4 AND start_ms < ? AND end_ms > ? LIMIT 1");
    insert_meeting = prepare("INSERT INTO meetings (room_id, start_ms, end_ms, status, body) VALUES (?, ?, ?, 1, ?)");
    load_meeting = prepare("SELECT start_ms, end_ms, body FROM meetings WHERE id = ?");
    member_conflict = prepare("SELECT meeting_id FROM member_busy WHERE member_id = ? AND start_ms < ? AND end_ms > ? LIMIT 1");
    insert_invitee = prepare("INSERT OR IGNORE INTO invitees (meeting_id, member_id) VALUES (?, ?)");
    insert_busy = prepare("INSERT INTO member_busy (member_id, start_ms, end_ms, meeting_id) VALUES (?, ?, ?, ?)");
    publish = prepare("UPDATE meetings SET status = 2, body = ? WHERE id = ?");
    insert_event = prepare("INSERT INTO outbox (type, payload) VALUES ('meeting.published', ?)");
    insert_reply = prepare("INSERT INTO replies (request_id, body) VALUES (?, ?)");
    void *context = zmq_ctx_new();
    registry_socket = zmq_socket(context, ZMQ_DEALER);
    if (zmq_connect(registry_socket, registry_endpoint) != 0) die("connect to the registry");
    return serve(context, endpoint, scheduler_handle);
}

/* --- client -------------------------------------------------------------------------- */

static uint64_t state = 0x2545F4914F6CDD1Dull;
static uint64_t next_random(void) { /* SplitMix64, as loadtest's */
    state += 0x9E3779B97F4A7C15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

typedef struct { int stage; uint64_t started; int64_t meeting; } Caller;

/* Appends an operation's latency, growing the array as needed. */
static void record(uint64_t **latency, size_t *capacity, size_t *done, uint64_t value) {
    if (*done == *capacity) {
        *capacity *= 2;
        *latency = realloc(*latency, *capacity * sizeof **latency);
    }
    (*latency)[(*done)++] = value;
}

static int client(const char *endpoint, long operations, int callers, int rooms, int members, int horizon) {
    void *context = zmq_ctx_new();
    void *dealer = zmq_socket(context, ZMQ_DEALER);
    zmq_connect(dealer, endpoint);
    Caller *state_of = calloc((size_t)callers, sizeof *state_of);
    size_t capacity = 1 << 20, done = 0;
    uint64_t *latency = malloc(capacity * sizeof *latency);
    long refused = 0, errors = 0;
    /* Tomorrow's midnight in UTC+8, as loadtest's first day. */
    int64_t first_day = ((int64_t)time(NULL) / 86400 + 1) * 86400000LL - 8 * 3600000LL;
    uint8_t frame[MAX_FRAME];
    uint64_t start = now_ns();
    long begun = 0;
    /* Starts operation `c`'s next call. */
    #define SEND(c, method, pack_call) do { \
        uint64_t tag = (uint64_t)(c); memcpy(frame, &tag, 8); frame[8] = (method); \
        size_t length = pack_call; zmq_send(dealer, frame, 9 + length, 0); } while (0)
    for (int c = 0; c < callers; c++) {
        state_of[c].stage = -1;
    }
    int outstanding = 0;
    for (;;) {
        for (int c = 0; c < callers; c++) {
            if (state_of[c].stage != -1 || begun >= operations) continue;
            begun++;
            Xieshang__Meeting__V1__Meeting m = XIESHANG__MEETING__V1__MEETING__INIT;
            char title[64];
            snprintf(title, sizeof title, "负载测试会议 %llu", (unsigned long long)(next_random() % 1000000));
            m.title = title;
            m.kind = XIESHANG__MEETING__V1__MEETING_KIND__MEETING_KIND_GRASSROOTS;
            m.room_id = 1 + (int64_t)(next_random() % (uint64_t)rooms);
            int lengths[] = {30, 60, 90, 120};
            int minutes = lengths[next_random() % 4];
            int starts[64], count = 0;
            for (int t = 8 * 60 + 30; t <= 12 * 60 - minutes; t += 15) starts[count++] = t;
            for (int t = 14 * 60 + 30; t <= 18 * 60 - minutes; t += 15) starts[count++] = t;
            int64_t day = first_day + (int64_t)(next_random() % (uint64_t)horizon) * 86400000LL;
            m.start_ms = day + (int64_t)starts[next_random() % (uint64_t)count] * 60000LL;
            m.end_ms = m.start_ms + (int64_t)minutes * 60000LL;
            Xieshang__Meeting__V1__ScheduleMeetingRequest request = XIESHANG__MEETING__V1__SCHEDULE_MEETING_REQUEST__INIT;
            request.meeting = &m;
            state_of[c].stage = 0;
            state_of[c].started = now_ns();
            SEND(c, 'S', xieshang__meeting__v1__schedule_meeting_request__pack(&request, frame + 9));
            outstanding++;
        }
        if (outstanding == 0) break;
        int n = zmq_recv(dealer, frame, sizeof frame, 0);
        if (n < 9) return 1;
        uint64_t tag;
        memcpy(&tag, frame, 8);
        int c = (int)tag;
        if (frame[8] != 0) {
            /* A refusal ends the operation, as loadtest counts it: done, and refused. */
            if (frame[8] == 9) {
                refused++;
                record(&latency, &capacity, &done, now_ns() - state_of[c].started);
            } else {
                errors++;
            }
            state_of[c].stage = -1;
            outstanding--;
            continue;
        }
        if (state_of[c].stage == 0) {
            Xieshang__Meeting__V1__ScheduleMeetingResponse *response =
                xieshang__meeting__v1__schedule_meeting_response__unpack(NULL, (size_t)n - 9, frame + 9);
            state_of[c].meeting = response && response->meeting ? response->meeting->id : 0;
            if (response) xieshang__meeting__v1__schedule_meeting_response__free_unpacked(response, NULL);
            int64_t ids[5];
            int count = 2 + (int)(next_random() % 4);
            for (int i = 0; i < count; i++) ids[i] = 1 + (int64_t)(next_random() % (uint64_t)members);
            Xieshang__Meeting__V1__InviteRequest request = XIESHANG__MEETING__V1__INVITE_REQUEST__INIT;
            request.meeting_id = state_of[c].meeting;
            request.n_member_ids = (size_t)count;
            request.member_ids = ids;
            state_of[c].stage = 1;
            SEND(c, 'I', xieshang__meeting__v1__invite_request__pack(&request, frame + 9));
        } else if (state_of[c].stage == 1) {
            Xieshang__Meeting__V1__PublishMeetingRequest request = XIESHANG__MEETING__V1__PUBLISH_MEETING_REQUEST__INIT;
            request.id = state_of[c].meeting;
            state_of[c].stage = 2;
            SEND(c, 'P', xieshang__meeting__v1__publish_meeting_request__pack(&request, frame + 9));
        } else {
            record(&latency, &capacity, &done, now_ns() - state_of[c].started);
            state_of[c].stage = -1;
            outstanding--;
        }
    }
    double elapsed = (double)(now_ns() - start) / 1e9;
    qsort(latency, done, sizeof *latency, compare);
    printf("{\"throughput\": %.1f, \"p50Ms\": %.3f, \"p99Ms\": %.3f, \"completed\": %zu, \"refused\": %ld, \"errors\": %ld, \"refusalRate\": %.4f}\n",
           done / elapsed, done ? latency[done / 2] / 1e6 : 0, done ? latency[(size_t)(done * 0.99)] / 1e6 : 0,
           done, refused, errors, done ? (double)refused / (double)done : 0);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "registry") == 0) return registry(argv[2], atoi(argv[3]));
    if (argc >= 5 && strcmp(argv[1], "scheduler") == 0) return scheduler(argv[2], argv[3], argv[4]);
    if (argc >= 8 && strcmp(argv[1], "client") == 0)
        return client(argv[2], atol(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), atoi(argv[7]));
    fprintf(stderr, "usage: schedule_floor registry ENDPOINT ROOMS | scheduler ENDPOINT REGISTRY DATABASE |"
                    " client ENDPOINT OPERATIONS CALLERS ROOMS MEMBERS HORIZON_DAYS\n");
    return 64;
}

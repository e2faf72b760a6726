/* The codec floor of `make bench`: protobuf-c's own pack and unpack of the typical member
 * and meeting that `loadtest codec` times in Swift (the same field values). Build with the
 * generated C of Sources/CXieshangProto (bench.sh does). Prints ns per message as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "xieshang/member/v1/member.pb-c.h"
#include "xieshang/meeting/v1/meeting.pb-c.h"

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile size_t sink;

static void measure(const char *name, const ProtobufCMessage *message, const ProtobufCMessageDescriptor *descriptor, long iterations, int last) {
    size_t size = protobuf_c_message_get_packed_size(message);
    uint8_t *bytes = malloc(size);
    protobuf_c_message_pack(message, bytes);
    double start = now_ns();
    for (long i = 0; i < iterations; i++) {
        /* As the Swift layer does: size, allocate, pack, hand back the bytes. */
        size_t n = protobuf_c_message_get_packed_size(message);
        uint8_t *out = malloc(n);
        sink += protobuf_c_message_pack(message, out);
        free(out);
    }
    double encode = (now_ns() - start) / iterations;
    start = now_ns();
    for (long i = 0; i < iterations; i++) {
        ProtobufCMessage *decoded = protobuf_c_message_unpack(descriptor, NULL, size, bytes);
        sink += decoded != NULL;
        protobuf_c_message_free_unpacked(decoded, NULL);
    }
    double decode = (now_ns() - start) / iterations;
    printf("{\"message\": \"%s\", \"bytes\": %zu, \"encodeNs\": %.1f, \"decodeNs\": %.1f}%s", name, size, encode, decode, last ? "" : ", ");
    free(bytes);
}

int main(int argc, char **argv) {
    long iterations = argc > 1 ? atol(argv[1]) : 200000;

    Xieshang__Member__V1__Member m;
    xieshang__member__v1__member__init(&m);
    m.id = 12345; m.term = 5; m.member_number = "5012"; m.name = "梁晓东";
    m.gender = XIESHANG__MEMBER__V1__GENDER__GENDER_FEMALE; m.ethnicity = "汉族"; m.birth_date = "1961-07-10";
    m.party = "中共"; m.sector = "中共";
    char *committees[] = {"提案委员会", "经济委员会"};
    m.n_committees = 2; m.committees = committees;
    m.work_unit = "嘉峪关市律师协会"; m.position = "主任"; m.phone = "13960821422"; m.email = "lxd@jyg.gov.cn";
    m.role = XIESHANG__MEMBER__V1__ROLE__ROLE_STANDING_MEMBER; m.status = XIESHANG__MEMBER__V1__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
    m.status_date = "2022-01-15"; m.joined_date = "2022-01-15";
    int64_t rooms[] = {12, 15};
    m.n_room_ids = 2; m.room_ids = rooms;
    m.updated_at_ms = 1795851390720LL;

    Xieshang__Meeting__V1__Meeting g;
    xieshang__meeting__v1__meeting__init(&g);
    g.id = 1; g.title = "研究2027年度协商工作计划"; g.kind = XIESHANG__MEETING__V1__MEETING_KIND__MEETING_KIND_CHAIRPERSONS_COUNCIL;
    g.term = 5; g.ordinal = 1; g.organiser = "办公室"; g.room_id = 1; g.room_name = "雄关街道第1社区协商议事室";
    g.start_ms = 1796518800000LL; g.end_ms = 1796526000000LL; g.mode = XIESHANG__MEETING__V1__MEETING_MODE__MEETING_MODE_IN_PERSON;
    g.status = XIESHANG__MEETING__V1__MEETING_STATUS__MEETING_STATUS_PUBLISHED;
    Xieshang__Meeting__V1__GroupRef group;
    xieshang__meeting__v1__group_ref__init(&group);
    group.kind = XIESHANG__MEMBER__V1__GROUP_KIND__GROUP_KIND_CHAIRPERSONS_COUNCIL;
    Xieshang__Meeting__V1__GroupRef *groups[] = {&group};
    g.n_groups = 1; g.groups = groups;
    Xieshang__Meeting__V1__AgendaItem first, second;
    xieshang__meeting__v1__agenda_item__init(&first);
    first.position = 1; first.title = "审议2027年度协商工作计划（草案）"; first.duration_minutes = 60; first.presenter = "秘书长";
    xieshang__meeting__v1__agenda_item__init(&second);
    second.position = 2; second.title = "通报提案办理情况"; second.duration_minutes = 30; second.presenter = "提案委员会";
    Xieshang__Meeting__V1__AgendaItem *agenda[] = {&first, &second};
    g.n_agenda = 2; g.agenda = agenda;
    g.published_at_ms = 1795851390720LL; g.updated_at_ms = 1795851390720LL; g.display_name = "五届一次主席会议"; g.invitee_count = 8;

    printf("[");
    measure("member", &m.base, &xieshang__member__v1__member__descriptor, iterations, 0);
    measure("meeting", &g.base, &xieshang__meeting__v1__meeting__descriptor, iterations, 1);
    printf("]\n");
    return 0;
}

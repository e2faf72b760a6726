#include "CWireVectors.h"
#include <string.h>
#include "xieshang/rpc/v1/rpc.pb-c.h"
#include "xieshang/wiretest/v1/wiretest.pb-c.h"

typedef Xieshang__Wiretest__V1__Kinds Kinds;
typedef Xieshang__Wiretest__V1__Inner Inner;

static size_t pack_into(const ProtobufCMessage *message, uint8_t *out, size_t capacity) {
    size_t size = protobuf_c_message_get_packed_size(message);
    if (size > capacity) return 0;
    return protobuf_c_message_pack(message, out);
}

/* The full Kinds vector, built into caller-provided storage. */
struct kinds_storage {
    Kinds kinds;
    Inner inner, child, r_inner[2], o_inner;
    Inner *r_inner_ptrs[2];
    Inner *child_ptrs[1];
    Xieshang__Wiretest__V1__Kinds__Nested nested;
    int32_t r_int32[3];
    int64_t r_int64[2];
    uint64_t r_uint64[2];
    int32_t r_sint32[3];
    double r_double[2];
    protobuf_c_boolean r_bool[3];
    char *r_string[3];
    ProtobufCBinaryData r_bytes[2];
    Xieshang__Wiretest__V1__Color r_color[3];
};

static uint8_t bytes_a[] = {0x00, 0x01, 0xFF};
static uint8_t bytes_b[] = {0x7F};
static uint8_t f_bytes[] = {0xDE, 0xAD, 0xBE, 0xEF, 0x00};

static void build_full(struct kinds_storage *s) {
    memset(s, 0, sizeof *s);
    xieshang__wiretest__v1__kinds__init(&s->kinds);
    Kinds *k = &s->kinds;
    k->f_int32 = -42;
    k->f_int64 = -9000000000LL;
    k->f_uint32 = 4000000000U;
    k->f_uint64 = 18000000000000000000ULL;
    k->f_sint32 = -7;
    k->f_sint64 = -70000000000LL;
    k->f_fixed32 = 0xCAFEBABE;
    k->f_fixed64 = 0x0123456789ABCDEFULL;
    k->f_sfixed32 = -123456;
    k->f_sfixed64 = -1234567890123LL;
    k->f_bool = 1;
    k->f_float = 1.5f;
    k->f_double = -2.25;
    k->f_string = "委员 Zhang Wei, 第五届";
    k->f_bytes.len = sizeof f_bytes;
    k->f_bytes.data = f_bytes;
    k->f_color = XIESHANG__WIRETEST__V1__COLOR__COLOR_GREEN;

    xieshang__wiretest__v1__inner__init(&s->inner);
    s->inner.label = "协商议事室";
    s->inner.weight = 3;
    xieshang__wiretest__v1__inner__init(&s->child);
    s->child.label = "child";
    s->child_ptrs[0] = &s->child;
    s->inner.n_children = 1;
    s->inner.children = s->child_ptrs;
    k->f_inner = &s->inner;

    s->r_int32[0] = 1; s->r_int32[1] = -1; s->r_int32[2] = 300;
    k->n_r_int32 = 3; k->r_int32 = s->r_int32;
    s->r_int64[0] = 1LL << 40; s->r_int64[1] = -5;
    k->n_r_int64 = 2; k->r_int64 = s->r_int64;
    s->r_uint64[0] = 0; s->r_uint64[1] = 18446744073709551615ULL;
    k->n_r_uint64 = 2; k->r_uint64 = s->r_uint64;
    s->r_sint32[0] = -1; s->r_sint32[1] = 0; s->r_sint32[2] = 2147483647;
    k->n_r_sint32 = 3; k->r_sint32 = s->r_sint32;
    s->r_double[0] = 0.5; s->r_double[1] = -1e300;
    k->n_r_double = 2; k->r_double = s->r_double;
    s->r_bool[0] = 1; s->r_bool[1] = 0; s->r_bool[2] = 1;
    k->n_r_bool = 3; k->r_bool = s->r_bool;
    s->r_string[0] = "a"; s->r_string[1] = ""; s->r_string[2] = "界别";
    k->n_r_string = 3; k->r_string = s->r_string;
    s->r_bytes[0].len = sizeof bytes_a; s->r_bytes[0].data = bytes_a;
    s->r_bytes[1].len = sizeof bytes_b; s->r_bytes[1].data = bytes_b;
    k->n_r_bytes = 2; k->r_bytes = s->r_bytes;
    s->r_color[0] = XIESHANG__WIRETEST__V1__COLOR__COLOR_RED;
    s->r_color[1] = XIESHANG__WIRETEST__V1__COLOR__COLOR_UNSPECIFIED;
    s->r_color[2] = (Xieshang__Wiretest__V1__Color)7; /* a value this schema does not know */
    k->n_r_color = 3; k->r_color = s->r_color;
    xieshang__wiretest__v1__inner__init(&s->r_inner[0]);
    s->r_inner[0].label = "one";
    xieshang__wiretest__v1__inner__init(&s->r_inner[1]);
    s->r_inner[1].weight = -2;
    s->r_inner_ptrs[0] = &s->r_inner[0]; s->r_inner_ptrs[1] = &s->r_inner[1];
    k->n_r_inner = 2; k->r_inner = s->r_inner_ptrs;

    k->_o_int64_case = XIESHANG__WIRETEST__V1__KINDS___O_INT64_O_INT64;
    k->o_int64 = 77;
    k->_o_string_case = XIESHANG__WIRETEST__V1__KINDS___O_STRING_O_STRING;
    k->o_string = "optional";
    xieshang__wiretest__v1__inner__init(&s->o_inner);
    s->o_inner.label = "o";
    k->_o_inner_case = XIESHANG__WIRETEST__V1__KINDS___O_INNER_O_INNER;
    k->o_inner = &s->o_inner;

    k->choice_case = XIESHANG__WIRETEST__V1__KINDS__CHOICE_CHOICE_TEXT;
    k->choice_text = "选择";

    xieshang__wiretest__v1__kinds__nested__init(&s->nested);
    s->nested.level = XIESHANG__WIRETEST__V1__KINDS__NESTED__LEVEL__LEVEL_HIGH;
    s->nested.note = "note";
    k->f_nested = &s->nested;
}

size_t xs_vector_kinds_full(uint8_t *out, size_t capacity) {
    struct kinds_storage s;
    build_full(&s);
    return pack_into(&s.kinds.base, out, capacity);
}

size_t xs_vector_kinds_oneof_number(uint8_t *out, size_t capacity) {
    Kinds k;
    xieshang__wiretest__v1__kinds__init(&k);
    k.choice_case = XIESHANG__WIRETEST__V1__KINDS__CHOICE_CHOICE_NUMBER;
    k.choice_number = 0; /* a set oneof member is sent even when it is zero */
    return pack_into(&k.base, out, capacity);
}

size_t xs_vector_kinds_zero_optionals(uint8_t *out, size_t capacity) {
    Kinds k;
    xieshang__wiretest__v1__kinds__init(&k);
    k._o_int64_case = XIESHANG__WIRETEST__V1__KINDS___O_INT64_O_INT64;
    k.o_int64 = 0;
    k._o_string_case = XIESHANG__WIRETEST__V1__KINDS___O_STRING_O_STRING;
    k.o_string = "";
    return pack_into(&k.base, out, capacity);
}

size_t xs_vector_request(uint8_t *out, size_t capacity) {
    Xieshang__Rpc__V1__Request r;
    xieshang__rpc__v1__request__init(&r);
    r.method = "member.v1.Members/Get";
    r.request_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    r.deadline_ms = 5000;
    r.trace_id = "trace-1";
    r.caller = "gateway";
    static uint8_t body[] = {0x08, 0x96, 0x01};
    r.body.len = sizeof body;
    r.body.data = body;
    Xieshang__Rpc__V1__MetadataEntry e;
    xieshang__rpc__v1__metadata_entry__init(&e);
    e.key = "locale";
    e.value = "zh-CN";
    Xieshang__Rpc__V1__MetadataEntry *entries[] = {&e};
    r.n_metadata = 1;
    r.metadata = entries;
    return pack_into(&r.base, out, capacity);
}

size_t xs_vector_response(uint8_t *out, size_t capacity) {
    Xieshang__Rpc__V1__Response r;
    xieshang__rpc__v1__response__init(&r);
    r.request_id = "abc";
    Xieshang__Rpc__V1__Status st;
    xieshang__rpc__v1__status__init(&st);
    st.code = XIESHANG__RPC__V1__STATUS_CODE__INVALID_ARGUMENT;
    st.message = "2 fields are invalid";
    Xieshang__Rpc__V1__FieldViolation v1, v2;
    xieshang__rpc__v1__field_violation__init(&v1);
    v1.field = "name";
    v1.description = "must not be empty";
    xieshang__rpc__v1__field_violation__init(&v2);
    v2.field = "phone";
    v2.description = "must be 11 digits";
    Xieshang__Rpc__V1__FieldViolation *vs[] = {&v1, &v2};
    st.n_violations = 2;
    st.violations = vs;
    r.status = &st;
    return pack_into(&r.base, out, capacity);
}

int xs_vector_kinds_full_matches(const uint8_t *data, size_t length) {
    struct kinds_storage s;
    build_full(&s);
    uint8_t expected[4096];
    size_t expected_size = pack_into(&s.kinds.base, expected, sizeof expected);
    Kinds *k = xieshang__wiretest__v1__kinds__unpack(NULL, length, data);
    if (!k) return 0;
    /* Re-pack what protobuf-c decoded: equal bytes mean equal fields for this message. */
    uint8_t again[4096];
    size_t again_size = pack_into(&k->base, again, sizeof again);
    int ok = again_size == expected_size && memcmp(again, expected, expected_size) == 0
        && k->f_int32 == -42 && strcmp(k->f_string, "委员 Zhang Wei, 第五届") == 0
        && k->choice_case == XIESHANG__WIRETEST__V1__KINDS__CHOICE_CHOICE_TEXT;
    xieshang__wiretest__v1__kinds__free_unpacked(k, NULL);
    return ok;
}

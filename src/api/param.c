/* param.c: reading typed members out of an operation's JSON input, with ranges and
 * messages that name the member. */
#include "param.h"
#include <stdio.h>
#include <string.h>
#include <math.h>
#include "../util/money.h"
#include "../util/text.h"
#include "../util/parse.h"
#include "../util/banned.h"

static json_t *member(json_t *in, const char *name, int required, struct ts_error *err,
                      int *rc)
{
    json_t *v = json_object_get(in, name);
    *rc = 0;
    if (!v || json_is_null(v)) {
        if (required)
            *rc = ts_failk(err, TS_EINVAL, "ParameterValidationError", "%s is required", name);
        return NULL;
    }
    return v;
}

int param_str(json_t *in, const char *name, int required, size_t max_bytes, const char **out,
              struct ts_error *err)
{
    int rc;
    json_t *v = member(in, name, required, err, &rc);
    if (!v)
        return rc;
    if (!json_is_string(v))
        return ts_failk(err, TS_EINVAL, "ParameterValidationError", "%s must be a string",
                        name);
    size_t n = json_string_length(v);
    if (n > max_bytes)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "%s is longer than %zu bytes", name, max_bytes);
    if (text_utf8_chars(json_string_value(v), n) < 0)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "%s must be text without NUL or control characters", name);
    *out = json_string_value(v);
    return 0;
}

int param_id(json_t *in, const char *name, int required, const char **out,
             struct ts_error *err)
{
    const char *s = NULL;
    int rc = param_str(in, name, required, 64, &s, err);
    if (rc || !s)
        return rc;
    size_t n = strlen(s);
    if (n == 0)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError", "%s must not be empty",
                        name);
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                            "The value \"%.64s\" is not valid for the parameter %s: ids are "
                            "upper-case letters and digits",
                            s, name);
    *out = s;
    return 0;
}

int param_int(json_t *in, const char *name, int required, int64_t min, int64_t max,
              int64_t *out, struct ts_error *err)
{
    int rc;
    json_t *v = member(in, name, required, err, &rc);
    if (!v)
        return rc;
    if (!json_is_integer(v))
        return ts_failk(err, TS_EINVAL, "ParameterValidationError", "%s must be an integer",
                        name);
    json_int_t x = json_integer_value(v);
    if (x < min || x > max)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "%s must be between %lld and %lld (got %lld)", name, (long long)min,
                        (long long)max, (long long)x);
    *out = x;
    return 0;
}

int param_bool(json_t *in, const char *name, int required, int *out, struct ts_error *err)
{
    int rc;
    json_t *v = member(in, name, required, err, &rc);
    if (!v)
        return rc;
    if (!json_is_boolean(v))
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "%s must be true or false", name);
    *out = json_is_true(v);
    return 0;
}

int param_money(json_t *in, const char *name, int required, int64_t *out,
                struct ts_error *err)
{
    int rc;
    json_t *v = member(in, name, required, err, &rc);
    if (!v)
        return rc;
    if (!json_is_string(v))
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "%s must be a string of dollars such as \"0.05\"", name);
    rc = money_parse(json_string_value(v), out, name, err);
    if (rc && err)
        err->kind = "ParameterValidationError";
    return rc;
}

int param_time_ms(json_t *in, const char *name, int required, int64_t *out,
                  struct ts_error *err)
{
    int rc;
    json_t *v = member(in, name, required, err, &rc);
    if (!v)
        return rc;
    /* Up to year 9999, in epoch seconds. */
    const int64_t max_s = 253402300799LL;
    if (json_is_integer(v)) {
        json_int_t s = json_integer_value(v);
        if (s < 0 || s > max_s)
            goto bad;
        *out = s * 1000;
        return 0;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d) || d < 0 || d > (double)max_s)
            goto bad;
        *out = (int64_t)llround(d * 1000.0);
        return 0;
    }
bad:
    return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                    "%s must be a time in seconds since 1970 (a non-negative number)", name);
}

int param_page(json_t *in, int64_t *after_seq, int *limit, struct ts_error *err)
{
    int64_t max = 10;
    const char *tok = NULL;
    int rc = param_int(in, "MaxResults", PARAM_OPTIONAL, 1, 100, &max, err);
    if (!rc)
        rc = param_str(in, "NextToken", PARAM_OPTIONAL, 255, &tok, err);
    if (rc)
        return rc;
    *limit = (int)max;
    *after_seq = 0;
    if (tok) {
        /* NextToken is "p" + the seq of the last row of the previous page. */
        if (tok[0] != 'p' ||
            parse_i64(tok + 1, strlen(tok + 1), 1, INT64_MAX, after_seq) != 0)
            return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                            "NextToken is not one this server gave out");
    }
    return 0;
}

void param_next_token(json_t *out, int64_t last_seq, int more)
{
    char tok[32];
    if (!more)
        return;
    snprintf(tok, sizeof tok, "p%lld", (long long)last_seq);
    json_object_set_new(out, "NextToken", json_string(tok));
}

int param_page_reply(json_t *out, const char *name, json_t *arr, int64_t last_seq, int more,
                     int rc)
{
    if (rc) {
        json_decref(arr);
        return rc;
    }
    param_next_token(out, last_seq, more);
    json_object_set_new(out, "NumResults", json_integer((json_int_t)json_array_size(arr)));
    json_object_set_new(out, name, arr);
    return 0;
}

int param_list_begin(json_t *in, struct param_list *pl, struct ts_error *err)
{
    int rc;

    memset(pl, 0, sizeof *pl);
    rc = param_page(in, &pl->after, &pl->limit, err);
    if (!rc)
        pl->arr = json_array();
    return rc;
}

int param_list_end(json_t *out, const char *name, struct param_list *pl, int rc)
{
    rc = param_page_reply(out, name, pl->arr, pl->last, pl->more, rc);
    pl->arr = NULL;
    return rc;
}

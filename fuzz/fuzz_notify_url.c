/* fuzz_notify_url.c: fuzzes the check of a NotificationSpecification's Destination, the
 * URL a requester gives and the delivery thread later hands to libcurl. The input is the
 * Transport, a newline, then the Destination. The check must never crash or read out of
 * bounds, and a Destination it accepts must be printable ASCII without spaces, at most
 * 2048 bytes, and start with the Transport's scheme. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/notify.h"
#include "util/alloc.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xmalloc(st_add(size, 1));
    char *nl;
    struct notify_spec spec;
    struct ts_error err = {0};

    memcpy(s, data, size);
    s[size] = '\0';
    nl = strchr(s, '\n');
    spec.transport = "HTTPS";
    spec.destination = s;
    if (nl) {
        *nl = '\0';
        spec.transport = s;
        spec.destination = nl + 1;
    }
    spec.version = "2006-05-05";
    spec.events = NOTIFY_BIT(NOTIFY_HIT_REVIEWABLE);
    if (notify_spec_check(&spec, 0, &err) == 0) {
        size_t n = strlen(spec.destination);
        const char *scheme = strcmp(spec.transport, "HTTP") == 0 ? "http://" : "https://";
        if (n > 2048 || strncmp(spec.destination, scheme, strlen(scheme)) != 0)
            abort();
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)spec.destination[i] <= 0x20 ||
                (unsigned char)spec.destination[i] >= 0x7f)
                abort();
    } else if (!err.msg[0]) {
        abort();
    }
    free(s);
    return 0;
}

/* replay.c: runs a fuzz target without libFuzzer. Each argument is a file, or a
 * directory whose regular files are read; every input is passed to
 * LLVMFuzzerTestOneInput once. A crash (abort, sanitizer report) is the failure, so a
 * corpus of past crashes stays a regression test under gcc + ASan. Prints the usual
 * "N passed, N failed" last line; an unreadable path counts as a failure. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT ((size_t)64 << 20)

static int passed, failed;

/* Reads the file at path into a buffer and runs the target on it. */
static void replay_file(const char *path)
{
    struct buf b = BUF_INIT(REPLAY_MAX_INPUT);
    char chunk[65536];
    size_t n;
    FILE *f = fopen(path, "rb");

    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        failed++;
        return;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    if (ferror(f) || b.err) {
        fprintf(stderr, "replay: cannot read %s%s\n", path, b.err ? " (too big)" : "");
        failed++;
    } else {
        /* a private copy of exactly size bytes, so ASan catches reads past the end */
        uint8_t *data = xmalloc(b.len);

        memcpy(data, b.p, b.len);
        LLVMFuzzerTestOneInput(data, b.len);
        free(data);
        passed++;
    }
    fclose(f);
    buf_release(&b);
}

static void replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d) {
        fprintf(stderr, "replay: cannot open directory %s\n", dir);
        failed++;
        return;
    }
    while ((e = readdir(d)) != NULL) {
        struct buf path = BUF_INIT(4096);
        struct stat st;

        if (e->d_name[0] == '.')
            continue; /* ".", "..", and hidden files such as .gitkeep */
        buf_printf(&path, "%s/%s", dir, e->d_name);
        if (path.err) {
            fprintf(stderr, "replay: path too long in %s\n", dir);
            failed++;
        } else if (stat(path.p, &st) == 0 && S_ISREG(st.st_mode)) {
            replay_file(path.p);
        }
        buf_release(&path);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: cannot open %s\n", argv[i]);
            failed++;
        } else if (S_ISDIR(st.st_mode)) {
            replay_dir(argv[i]);
        } else {
            replay_file(argv[i]);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

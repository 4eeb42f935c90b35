/* test_exec_split.c — the external-command runner's word splitter (src/exec_runner.c) against
 * what a POSIX shell makes of the same command lines (checked with sh -c 'printf "<%s>" "$@"'). */
#include "runners/exec.h"
#include "test.h"
#include <string.h>

/* Splits cmd and compares with the words in want (n of them). */
static int split_is(const char *cmd, const char *const *want, int n)
{
    char **argv;
    int argc;
    if (xc_exec_split(cmd, &argv, &argc) != XC_OK) return 0;
    int ok = argc == n && argv[n] == NULL;
    for (int i = 0; ok && i < n; i++) ok = !strcmp(argv[i], want[i]);
    xc_exec_argv_free(argv);
    return ok;
}

TEST(exec_split_words_quotes_and_backslashes)
{
    const char *plain[] = {"python3", "run.py", "{model}", "{inputs}", "{outputs}"};
    CHECK(split_is("  python3\trun.py {model}  {inputs} {outputs} ", plain, 5));
    const char *quoted[] = {"a b", "c d", "e f", "g'h", "i\"j"};
    CHECK(split_is("'a b' \"c d\" e\\ f \"g'h\" 'i\"j'", quoted, 5));
    const char *joined[] = {"x y/{model}z", ""};
    CHECK(split_is("x' 'y/\"{model}\"z ''", joined, 2));
    /* inside "...", a backslash escapes only \" \\ $ `; elsewhere any character */
    const char *escapes[] = {"a\"b\\c\\nd$e", "\\n", "q"};
    CHECK(split_is("\"a\\\"b\\\\c\\nd\\$e\" '\\n' \\q", escapes, 3));
    const char *continued[] = {"ab", "c"};
    CHECK(split_is("a\\\nb c", continued, 2));
}

TEST(exec_split_refuses_broken_commands)
{
    char **argv = NULL;
    int argc = -1;
    const char *bad[] = {"", "   ", "echo 'open", "echo \"open", "echo \"a\\\"", "ends\\"};
    for (unsigned i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK(xc_exec_split(bad[i], &argv, &argc) == XC_ERR_USAGE);
        CHECK(argv == NULL && argc == 0);
    }
}

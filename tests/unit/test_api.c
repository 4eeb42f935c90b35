/* test_api.c — the public API's own pieces: tensor accessors, the log callback (the library
 * prints nothing once one is set), and XC_ASSERT (on in sanitizer and debug builds, where a broken
 * invariant aborts naming it; compiled out, its expression never evaluated, otherwise). */
#include "test.h"
#include "crosscheck/crosscheck.h"
#include "error.h"
#include "log.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

TEST(api_tensor_accessors)
{
    xc_tensor *t = NULL;
    int64_t dims[2] = {2, 3};
    CHECK_OK(xc_tensor_new(XC_FLOAT, 2, dims, &t));
    if (!t) return;
    CHECK(xc_tensor_dtype(t) == XC_FLOAT && xc_tensor_rank(t) == 2 && xc_tensor_numel(t) == 6);
    CHECK(xc_tensor_dims(t)[0] == 2 && xc_tensor_dims(t)[1] == 3 && xc_tensor_nbytes(t) == 24);
    CHECK(xc_tensor_name(t) == NULL);
    CHECK_OK(xc_tensor_set_name(t, "x"));
    CHECK(xc_tensor_name(t) && !strcmp(xc_tensor_name(t), "x"));
    ((float *)xc_tensor_data(t))[5] = 1.5f;
    CHECK(((const float *)xc_tensor_data(t))[5] == 1.5f);
    xc_tensor_free(t);
    int64_t bad[1] = {-1};
    CHECK(xc_tensor_new(XC_FLOAT, 1, bad, &t) != XC_OK && strlen(xc_error_message()) > 0);
}

static char last_line[256];
static size_t last_len;
static int lines_seen;
static void catch_line(xc_log_level level, const char *line, void *user)
{
    (void)level;
    lines_seen += *(int *)user;
    last_len = strlen(line);
    snprintf(last_line, sizeof last_line, "%s", line);
}

TEST(api_log_callback_takes_every_line)
{
    int one = 1;
    xc_log_level was = xc_log_get_level();
    xc_log_set_callback(catch_line, &one);
    xc_log_set_level(XC_LOG_WARNING);
    xc_warn("tensor '%s' is odd", "a\nb"); /* a control character must not break the line */
    xc_log(XC_LOG_VERBOSE, "not shown at warning level");
    CHECK(lines_seen == 1 && !strcmp(last_line, "tensor 'a?b' is odd"));
    char big[3000];
    memset(big, 'x', sizeof big - 1), big[sizeof big - 1] = 0;
    xc_warn("%s", big); /* long lines arrive whole */
    CHECK(lines_seen == 2 && last_len == sizeof big - 1);
    xc_log_set_callback(NULL, NULL);
    xc_log_set_level(was);
}

TEST(api_assert_follows_the_build)
{
    int evaluated = 0;
    XC_ASSERT(++evaluated > 0);
#ifdef XC_CHECK_INVARIANTS
    CHECK(evaluated == 1);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", 1);
        if (null >= 0) dup2(null, 2);
        XC_ASSERT(evaluated == 2); /* broken: aborts */
        _exit(0);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
#else
    CHECK(evaluated == 0);
#endif
}

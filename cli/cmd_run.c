/* cmd_run.c — `crosscheck run` (placeholder until the next commit: parses --help only). */
#include "cli.h"
#include <stdio.h>
int cmd_run(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "not yet\n"); return 2; }

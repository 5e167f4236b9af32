/* Runs a sequence of commands as new processes, RUNS times, and prints the wall time
 * of each whole sequence (fork to the last exit):
 *   cold_run NAME RUNS CMD ARGS... [:: CMD ARGS...]...
 * prints COLD <name> <runs> <p50 ms> <min ms> <p90 ms>, then SAMPLES <name> and every
 * run's ms in the order they ran. Every command must exit 0; their output goes to
 * /dev/null. */
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "stats.h"

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: cold_run NAME RUNS CMD ARGS... [:: CMD...]\n"); return 2; }
    size_t runs = strtoul(argv[2], NULL, 10);
    if (runs == 0 || runs > 100000) { fprintf(stderr, "cold_run: RUNS out of range\n"); return 2; }
    char **cmds[16];
    int ncmd = 0;
    cmds[ncmd++] = &argv[3];
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "::") == 0) {
            argv[i] = NULL;
            if (ncmd == 16 || i + 1 >= argc) { fprintf(stderr, "cold_run: bad command list\n"); return 2; }
            cmds[ncmd++] = &argv[i + 1];
        }
    }
    uint64_t *lat = malloc(runs * sizeof *lat);
    for (size_t r = 0; r < runs; r++) {
        uint64_t t0 = bench_now_ns();
        for (int c = 0; c < ncmd; c++) {
            pid_t pid = fork();
            if (pid < 0) { perror("fork"); return 1; }
            if (pid == 0) {
                int null = open("/dev/null", O_WRONLY);
                if (null >= 0) dup2(null, STDOUT_FILENO);
                execvp(cmds[c][0], cmds[c]);
                perror("execvp");
                _exit(127);
            }
            int status = 0;
            if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "cold_run: %s failed (run %zu)\n", cmds[c][0], r);
                return 1;
            }
        }
        lat[r] = bench_now_ns() - t0;
    }
    printf("SAMPLES %s", argv[1]);
    for (size_t r = 0; r < runs; r++) printf(" %.3f", (double)lat[r] / 1e6);
    printf("\n");
    qsort(lat, runs, sizeof *lat, bench_cmp_u64);
    printf("COLD %s %zu %.3f %.3f %.3f\n", argv[1], runs, (double)lat[runs / 2] / 1e6,
           (double)lat[0] / 1e6, (double)lat[(runs * 9) / 10] / 1e6);
    return 0;
}

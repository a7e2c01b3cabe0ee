/*
 * main.c - command dispatch only: `schedlab <command> [args]`.
 */
#include "schedlab/cli.h"

int main(int argc, char **argv)
{
    return sl_cli_main(argc, argv);
}

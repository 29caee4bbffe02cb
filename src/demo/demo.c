/* placeholder: replaced by the demo data generator */
#include "demo/demo.h"
#include <stdio.h>
int demo_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "fuwu demo: not built yet\n");
	return 1;
}

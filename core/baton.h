/* The portable boot session: config, menu, and the chosen entry's boot. */
#ifndef BATON_CORE_BATON_H
#define BATON_CORE_BATON_H

struct fw;

/*
 * Run baton on the machine behind fw: find and parse the config, show the
 * menu, boot what the user chooses.  Returns only when the user asks to
 * leave baton ("action exit") with 0, or when baton cannot even start
 * (out of memory) with a BT_E* code.
 */
int baton_main(struct fw *fw);

#define BATON_VERSION "0.1"

#endif

// What the Transport module needs from Linux beyond Glibc's Swift overlay: glibc's stub
// resolver for SRV lookups (the answer is parsed in Swift), eventfd for waking the I/O thread,
// and mallopt for processes that hold many connections (ConnectionMemory).
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>
#include <sys/eventfd.h>
#include <malloc.h>

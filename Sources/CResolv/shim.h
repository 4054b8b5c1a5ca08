// DNS SRV lookups through glibc's resolver (res_nquery); the answer is parsed in Swift.
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>

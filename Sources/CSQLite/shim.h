#include <sqlite3.h>

/* sqlite3_config is variadic, which Swift cannot call. This one turns off the page cache's
 * bulk allocation: by default every connection allocates 20 pages (about 87 KiB) at its first
 * read, whether it will ever hold that many; without it, pages are allocated as they are used.
 * Effective only before SQLite initializes (the first open in the process). */
static inline int kinglet_sqlite_config_no_bulk_page_cache(void) {
    return sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
}

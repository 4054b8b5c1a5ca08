/*
 * The reference agent for `make bench`: the smallest C program that does the work Kinglet's
 * figures are measured on, written on libstrophe (XMPP, with expat) and OpenSSL (TLS), with
 * SQLite for its outbox, as a C developer would write it for an SBC. Kinglet's budgets are
 * ratios to what this program measures in the same run against the same server.
 *
 *   refagent idle  --jid J --password P --host H --port N --ca FILE --db FILE [--interval S]
 *       Logs in (STARTTLS verified against FILE, SASL SCRAM), enables XEP-0198, sends its
 *       presence, then every S seconds (5, like the simulated profile) stores one reading in
 *       SQLite (WAL, synchronous=full), publishes it to its PEP node as XEP-0323 fields and
 *       deletes it from the outbox when the server answers. Pings the server after 60 s
 *       without traffic. Runs until SIGTERM/SIGINT; prints "online" on stdout when it is.
 *   refagent flood --jid J --password P --host H --port N --ca FILE --to JID [--count N]
 *       [--ack-every K]
 *       Logs in, then sends N chat messages, asks for an XEP-0198 ack after every K (25, as
 *       Kinglet's `ack_every`) and after the last, and waits until the server has acknowledged
 *       all N. Prints the CPU time from online to the last ack as `name  value unit` lines.
 *
 * libstrophe 0.12 has XEP-0198 built in, but it asks for an ack after every stanza it sends and
 * tells the application nothing about acks; so this program turns it off
 * (XMPP_CONN_FLAG_DISABLE_SM) and speaks the few XEP-0198 elements itself, like Kinglet does.
 */
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <strophe.h>

#define NS_SM "urn:xmpp:sm:3"
#define NS_SENSORDATA "urn:xmpp:iot:sensordata"

struct options {
    const char *mode, *jid, *password, *host, *ca, *db, *to;
    unsigned short port;
    long count, ack_every, interval;
};

struct agent {
    struct options opt;
    xmpp_ctx_t *ctx;
    xmpp_conn_t *conn;
    sqlite3 *db;
    int online, failed, stopping;
    unsigned long received;  /* stanzas handled since <enabled/>: our h */
    unsigned long acked;     /* the server's last h */
    long sent, seq;
    double cpu_online;
    time_t last_traffic;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static double cpu_seconds(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void figure(const char *name, double value, const char *unit)
{
    printf("%-44s%.6g %s\n", name, value, unit);
    fflush(stdout);
}

/* ---- XEP-0198, spoken by hand ---- */

static void send_raw(struct agent *a, const char *xml)
{
    xmpp_send_raw(a->conn, xml, strlen(xml));
}

static void request_ack(struct agent *a)
{
    send_raw(a, "<r xmlns='" NS_SM "'/>");
}

static int on_sm(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
    struct agent *a = userdata;
    const char *name = xmpp_stanza_get_name(stanza);
    (void)conn;
    if (strcmp(name, "r") == 0) {
        char answer[64];
        snprintf(answer, sizeof answer, "<a xmlns='" NS_SM "' h='%lu'/>", a->received);
        send_raw(a, answer);
    } else if (strcmp(name, "a") == 0) {
        const char *h = xmpp_stanza_get_attribute(stanza, "h");
        if (h)
            a->acked = strtoul(h, NULL, 10);
    } else if (strcmp(name, "enabled") == 0) {
        a->received = 0;  /* the bind result reaches the handlers after they are added */
        a->online = 1;
        a->cpu_online = cpu_seconds();
    } else if (strcmp(name, "failed") == 0) {
        fprintf(stderr, "refagent: the server refused stream management\n");
        a->failed = 1;
    }
    return 1;
}

/* Every stanza the server sends counts towards our h; SM's own elements do not. */
static int on_any(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
    struct agent *a = userdata;
    const char *ns = xmpp_stanza_get_ns(stanza);
    (void)conn;
    a->last_traffic = time(NULL);
    if (!ns || strcmp(ns, NS_SM) != 0)
        a->received++;
    return 1;
}

/* ---- the idle agent: outbox in SQLite, one PEP publish per interval ---- */

static int exec_sql(struct agent *a, const char *sql)
{
    char *error = NULL;
    if (sqlite3_exec(a->db, sql, NULL, NULL, &error) != SQLITE_OK) {
        fprintf(stderr, "refagent: sqlite: %s\n", error ? error : "?");
        sqlite3_free(error);
        return -1;
    }
    return 0;
}

static int open_outbox(struct agent *a)
{
    if (sqlite3_open(a->opt.db, &a->db) != SQLITE_OK)
        return -1;
    return exec_sql(a, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                       "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, at INTEGER, "
                       "temperature REAL, humidity REAL, pressure REAL)");
}

static int on_publish_result(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
    struct agent *a = userdata;
    char sql[96];
    (void)conn;
    if (strcmp(xmpp_stanza_get_type(stanza), "result") != 0) {
        fprintf(stderr, "refagent: publish refused\n");
        return 0;
    }
    snprintf(sql, sizeof sql, "DELETE FROM outbox WHERE seq = %s", xmpp_stanza_get_id(stanza) + 4);
    exec_sql(a, sql);
    return 0;
}

static int publish_reading(xmpp_conn_t *conn, void *userdata)
{
    struct agent *a = userdata;
    char sql[160], xml[1024], id[32];
    time_t now = time(NULL);
    double temperature = 21.5 + (double)(now % 60) / 20.0, humidity = 44.1, pressure = 1013.4;
    xmpp_stanza_t *iq;

    a->seq++;
    snprintf(sql, sizeof sql, "INSERT INTO outbox VALUES (%ld, %ld, %.2f, %.1f, %.1f)", a->seq, (long)now,
             temperature, humidity, pressure);
    if (exec_sql(a, sql) != 0)
        return 1;
    snprintf(id, sizeof id, "pub-%ld", a->seq);
    snprintf(xml, sizeof xml,
             "<iq xmlns='jabber:client' type='set' id='%s'><pubsub xmlns='http://jabber.org/protocol/pubsub'>"
             "<publish node='" NS_SENSORDATA "'><item id='%ld'><fields xmlns='" NS_SENSORDATA "' seqnr='%ld' "
             "done='true'><node nodeId='simulated'><timestamp value='%ld'>"
             "<numeric name='temperature' momentary='true' automaticReadout='true' value='%.2f' unit='C'/>"
             "<numeric name='humidity' momentary='true' automaticReadout='true' value='%.1f' unit='%%'/>"
             "<numeric name='pressure' momentary='true' automaticReadout='true' value='%.1f' unit='hPa'/>"
             "</timestamp></node></fields></item></publish></pubsub></iq>",
             id, a->seq, a->seq, (long)now, temperature, humidity, pressure);
    iq = xmpp_stanza_new_from_string(a->ctx, xml);
    xmpp_id_handler_add(conn, on_publish_result, id, a);
    xmpp_send(conn, iq);
    xmpp_stanza_release(iq);
    request_ack(a);
    a->last_traffic = now;
    return 1;
}

static int keepalive(xmpp_conn_t *conn, void *userdata)
{
    struct agent *a = userdata;
    if (time(NULL) - a->last_traffic >= 60) {
        xmpp_stanza_t *iq = xmpp_stanza_new_from_string(
            a->ctx, "<iq xmlns='jabber:client' type='get' id='ping'><ping xmlns='urn:xmpp:ping'/></iq>");
        xmpp_send(conn, iq);
        xmpp_stanza_release(iq);
        a->last_traffic = time(NULL);
    }
    return 1;
}

/* ---- the flood: N chat messages, an ack request every K ---- */

static void send_flood(struct agent *a)
{
    char body[64];
    for (long n = 0; n < a->opt.count; n++) {
        xmpp_stanza_t *message = xmpp_message_new(a->ctx, "chat", a->opt.to, NULL);
        snprintf(body, sizeof body, "reading %ld: 21.5 \xc2\xb0" "C", n);
        xmpp_message_set_body(message, body);
        xmpp_send(a->conn, message);
        xmpp_stanza_release(message);
        a->sent++;
        if (a->sent % a->opt.ack_every == 0 || a->sent == a->opt.count)
            request_ack(a);
    }
}

/* ---- connection ---- */

static void on_connection(xmpp_conn_t *conn, xmpp_conn_event_t event, int error,
                          xmpp_stream_error_t *stream_error, void *userdata)
{
    struct agent *a = userdata;
    (void)error;
    (void)stream_error;
    if (event != XMPP_CONN_CONNECT) {
        if (a->stopping)
            return;
        fprintf(stderr, "refagent: disconnected (error %d)\n", error);
        a->failed = 1;
        return;
    }
    xmpp_handler_add(conn, on_any, NULL, NULL, NULL, a);
    xmpp_handler_add(conn, on_sm, NS_SM, NULL, NULL, a);
    send_raw(a, "<enable xmlns='" NS_SM "'/>");
    if (strcmp(a->opt.mode, "idle") == 0) {
        xmpp_stanza_t *presence = xmpp_presence_new(a->ctx);
        xmpp_send(conn, presence);
        xmpp_stanza_release(presence);
        xmpp_timed_handler_add(conn, publish_reading, (unsigned long)a->opt.interval * 1000, a);
        xmpp_timed_handler_add(conn, keepalive, 5000, a);
    }
    a->last_traffic = time(NULL);
}

static int parse(int argc, char **argv, struct options *o)
{
    *o = (struct options){.count = 20000, .ack_every = 25, .interval = 5};
    if (argc < 2)
        return -1;
    o->mode = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--jid")) o->jid = v;
        else if (!strcmp(k, "--password")) o->password = v;
        else if (!strcmp(k, "--host")) o->host = v;
        else if (!strcmp(k, "--port")) o->port = (unsigned short)atoi(v);
        else if (!strcmp(k, "--ca")) o->ca = v;
        else if (!strcmp(k, "--db")) o->db = v;
        else if (!strcmp(k, "--to")) o->to = v;
        else if (!strcmp(k, "--count")) o->count = atol(v);
        else if (!strcmp(k, "--ack-every")) o->ack_every = atol(v);
        else if (!strcmp(k, "--interval")) o->interval = atol(v);
        else return -1;
    }
    if (!o->jid || !o->password || !o->host || !o->ca || o->count < 1 || o->ack_every < 1 || o->interval < 1)
        return -1;
    if (strcmp(o->mode, "idle") == 0)
        return o->db ? 0 : -1;
    return strcmp(o->mode, "flood") == 0 && o->to ? 0 : -1;
}

static void run_flood(struct agent *a)
{
    double start = 0;
    while (!a->failed && !stop_requested && a->acked < (unsigned long)a->opt.count) {
        xmpp_run_once(a->ctx, 100);
        if (a->online && a->sent == 0) {
            start = wall_seconds();
            send_flood(a);
        }
    }
    if (a->failed || stop_requested)
        return;
    double cpu = cpu_seconds() - a->cpu_online, wall = wall_seconds() - start;
    figure("reference.chat.flood.messages", (double)a->opt.count, "messages, all acknowledged (XEP-0198)");
    figure("reference.chat.flood.cpu", cpu, "s CPU to send them");
    figure("reference.chat.flood.wall", wall, "s until the last ack");
}

int main(int argc, char **argv)
{
    struct agent a = {0};
    if (parse(argc, argv, &a.opt) != 0) {
        fprintf(stderr, "usage: refagent idle|flood --jid J --password P --host H --port N --ca FILE "
                        "(--db FILE [--interval S] | --to JID [--count N] [--ack-every K])\n");
        return 64;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    if (a.opt.db && open_outbox(&a) != 0)
        return 1;
    xmpp_initialize();
    a.ctx = xmpp_ctx_new(NULL, NULL);
    a.conn = xmpp_conn_new(a.ctx);
    xmpp_conn_set_flags(a.conn, XMPP_CONN_FLAG_MANDATORY_TLS | XMPP_CONN_FLAG_DISABLE_SM);
    xmpp_conn_set_cafile(a.conn, a.opt.ca);
    xmpp_conn_set_jid(a.conn, a.opt.jid);
    xmpp_conn_set_pass(a.conn, a.opt.password);
    if (xmpp_connect_client(a.conn, a.opt.host, a.opt.port, on_connection, &a) != XMPP_EOK)
        return 1;
    if (strcmp(a.opt.mode, "flood") == 0) {
        run_flood(&a);
    } else {
        int announced = 0;
        while (!a.failed && !stop_requested) {
            xmpp_run_once(a.ctx, 1000);
            if (a.online && !announced) {
                printf("online\n");
                fflush(stdout);
                announced = 1;
            }
        }
    }
    a.stopping = 1;
    xmpp_disconnect(a.conn);
    for (int i = 0; i < 10 && !xmpp_conn_is_disconnected(a.conn); i++)
        xmpp_run_once(a.ctx, 100);
    xmpp_conn_release(a.conn);
    xmpp_ctx_free(a.ctx);
    xmpp_shutdown();
    if (a.db)
        sqlite3_close(a.db);
    return a.failed ? 1 : 0;
}

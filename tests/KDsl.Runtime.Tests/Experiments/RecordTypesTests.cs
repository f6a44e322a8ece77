using NUnit.Framework;
using static KDsl.Runtime.Tests.Experiments.LanguageSemanticsTests;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// Structs and unions as GCC lays them out on x86-64 and as C reads them. The sizes and offsets are gcc 12.2's for the
    /// same declarations (sizeof/offsetof printed by a C program built with gcc -O2); the values follow from C's rules and
    /// x86's little-endian byte order.
    /// </summary>
    [TestFixture]
    public class RecordTypesTests
    {
        private const string Declarations = @"
struct hdr { char tag; int len; short kind; };
struct packet { struct hdr h; long seq; char data[13]; u16 crc; };
union val { char c; int i; long l; char bytes[12]; };
struct rec { char a; union val v; struct hdr hs[3]; bool ok; };
struct node { struct node *next; void *data; u8 flag; };
typedef struct { u32 id; u8 state; } task_t;
typedef unsigned long ulong_t;
typedef struct node node_t, *node_p;
enum state { IDLE, RUNNING = 5, DONE, FAILED = -1 };
";

        [TestCase("linux-6.1")]
        [TestCase("linux-4.11")]
        public void Layout_IsGccs(string profile)
        {
            var lines = Printed(@"
                printk(""%ld %ld %ld %ld %ld\n"", sizeof(struct hdr), sizeof(struct packet), sizeof(union val), sizeof(struct rec), sizeof(struct node));
                struct rec r; struct rec *p = &r; struct packet pk;
                printk(""%ld %ld %ld %ld\n"", (long)&r.v - (long)&r, (long)&r.hs - (long)&r, (long)&r.ok - (long)&r, (long)&p->hs[2].kind - (long)p);
                printk(""%ld %ld %ld\n"", (long)&pk.seq - (long)&pk, (long)&pk.data - (long)&pk, (long)&pk.crc - (long)&pk);", Declarations, profile);
            // gcc: hdr 12 (len at 4, kind at 8), packet 40 (seq 16, data 24, crc 38), val 16, rec 64 (v 8, hs 24, ok 60,
            // hs[2].kind 56), node 24.
            Assert.That(lines, Is.EqualTo(new[] { "12 40 16 64 24", "8 24 60 56", "16 24 38" }));
        }

        [Test]
        public void TypedefEnumAndOffsetof_AreCs()
        {
            var lines = Printed(@"
                task_t t; t.id = 3; t.state = DONE;
                ulong_t big = -1; enum state s = RUNNING; node_t n; node_p np = &n; np->flag = 9;
                printk(""%ld %ld %d %d %d %lu\n"", sizeof(task_t), offsetof(task_t, state), t.state, IDLE, FAILED, big);
                printk(""%ld %ld %ld %d %d %ld\n"", offsetof(struct packet, h.kind), offsetof(struct rec, v), sizeof(enum state), s, n.flag, sizeof(node_p));", Declarations);
            // gcc: task_t is 8 bytes with state at 4; DONE follows RUNNING = 5; packet.h.kind at 8, rec.v at 8; an enum is 4
            // bytes; ulong_t -1 is 2^64 - 1; node_p is a pointer.
            Assert.That(lines, Is.EqualTo(new[] { "8 4 6 0 -1 18446744073709551615", "8 8 4 5 9 8" }));
        }

        [Test]
        public void Members_ReadAndWriteAsC()
        {
            var lines = Printed(@"
                union val v; v.l = 0x1122334455667788;
                printk(""%x %x %d\n"", v.c, v.i, v.bytes[7]);
                struct node a; struct node b; a.next = &b; b.next = 0; a.flag = 1; b.flag = 200;
                int sum = 0;
                for (struct node *n = &a; n; n = n->next) sum += n->flag;
                struct hdr hs[4];
                for (int i = 0; i < 4; i++) hs[i].len = i * 10;
                hs[3].kind = -1;
                struct packet pk; pk.h.len = 7; pk.data[12] = 'z'; pk.crc = 65535; pk.crc++;
                struct packet *pp = &pk; pp->seq = -5; pp->h.tag = 'q';
                printk(""%d %d %d %d %c %u %ld %c\n"", sum, hs[1].len + hs[2].len + hs[3].len, hs[3].kind, pk.h.len, pk.data[12], pk.crc, pk.seq, pk.h.tag);", Declarations);
            // Little-endian: the union's first byte is 0x88 (a signed char: -120, printed as int ffffff88), its first four
            // 0x55667788, its last byte 0x11 = 17. flags 1 + 200 = 201; 10 + 20 + 30 = 60; u16 65535 + 1 wraps to 0.
            Assert.That(lines, Is.EqualTo(new[] { "ffffff88 55667788 17", "201 60 -1 7 z 0 -5 q" }));
        }
    }
}

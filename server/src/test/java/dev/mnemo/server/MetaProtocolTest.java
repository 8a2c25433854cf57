package dev.mnemo.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The meta commands (protocol.txt "Meta Commands") over a plain socket, byte for byte: every flag
 * of mg, ms, md, ma, mn and me, quiet-mode pipelines ended by mn, and each error, the connection
 * staying usable after it. Every expected reply was checked against memcached 1.6.18 (run with
 * -Dmnemo.it.memcached=true), except the tests of Mnemo's additions, which skip against it.
 */
@Timeout(30)
class MetaProtocolTest {

    private static final String BAD_FORMAT = "CLIENT_ERROR bad command line format\r\n";
    private static final Pattern CAS = Pattern.compile(" c([0-9]+)");

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start("-t", "2");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** @return the CAS unique of {@code key}, read with mg's c flag without fetching the item */
    private static long casOf(RawClient client, String key) {
        client.send("mg " + key + " c u\r\n");
        Matcher m = CAS.matcher(client.readLine());
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }

    /** Flag x belongs to md alone (later releases; 1.6.18 refuses it everywhere): mg, ms and ma refuse it as memcached does. */
    @Test
    void flagXIsRefusedOutsideMd() {
        try (RawClient client = server.connect()) {
            client.exchange("ms fx 1\r\n5\r\nmg fx x v\r\nms fx 1 x\r\n6\r\nma fx x\r\nmg fx v\r\n",
                    "HD\r\nCLIENT_ERROR invalid flag\r\nCLIENT_ERROR invalid flag\r\n"
                            + "CLIENT_ERROR invalid or duplicate flag\r\nVA 1\r\n5\r\n");
        }
    }

    @Test
    void mgFlagsComeBackInRequestOrder() {
        try (RawClient client = server.connect()) {
            client.exchange("ms mg1 2 F5 T0\r\nhi\r\n", "HD\r\n");
            client.exchange("mg mg1\r\nmg mg1 v\r\nmg mg1 s v f k O123 t\r\nmg mg1 t f\r\nmg mg1 q k\r\n",
                    "HD\r\nVA 2\r\nhi\r\nVA 2 s2 f5 kmg1 O123 t-1\r\nhi\r\nHD t-1 f5\r\nHD kmg1\r\n");
            long cas = casOf(client, "mg1");
            client.exchange("mg mg1 c v\r\n", "VA 2 c" + cas + "\r\nhi\r\n");
        }
    }

    @Test
    void mgHitBeforeLastAccessAndNoBump() {
        try (RawClient client = server.connect()) {
            client.exchange("ms mg2 1\r\nx\r\nmg mg2 h l u\r\nmg mg2 h l\r\nmg mg2 h\r\n",
                    "HD\r\nHD h0 l0\r\nHD h0 l0\r\nHD h1\r\n");
        }
    }

    @Test
    void mgTouchAndRecacheApplyWhereTheyStand() {
        try (RawClient client = server.connect()) {
            client.exchange("ms mg3 1 T10\r\nx\r\nmg mg3 R30 v t\r\nmg mg3 R30 t\r\nmg mg3 t T100\r\nmg mg3 t\r\n",
                    "HD\r\nVA 1 t10 W\r\nx\r\nHD t10 Z\r\nHD t10 Z\r\nHD t100 Z\r\n");
            client.exchange("ms mg4 1\r\nx\r\nmg mg4 R30 t\r\n", "HD\r\nHD t-1\r\n");
            client.exchange("ms mg5 1 T1000\r\nx\r\nmg mg5 R500 T200 t\r\nmg mg5 T200 R500 t\r\n",
                    "HD\r\nHD t200\r\nHD t200 W\r\n");
        }
    }

    @Test
    void mgVivifyHandsOutOneWinThenZ() {
        try (RawClient client = server.connect()) {
            client.exchange("mg mg6 N30 v s t k h f\r\nmg mg6 N30 v t\r\nmg mg6 v\r\nmg mg6 N30 q\r\n",
                    "VA 0 s0 t30 kmg6 h0 f0 W\r\n\r\nVA 0 t30 Z\r\n\r\nVA 0 Z\r\n\r\nHD Z\r\n");
            client.exchange("mg mg7 t N30\r\nms mg7 1 q\r\ny\r\nmg mg7 v\r\n", "HD t-1 W\r\nVA 1\r\ny\r\n");
        }
    }

    @Test
    void mgMissesAndQuietPipelineEndedByMn() {
        try (RawClient client = server.connect()) {
            client.exchange("ms mq1 1 q\r\na\r\nms mq2 1 q\r\nb\r\nmg mq1 q v k\r\nmg mq-none q v k\r\n"
                            + "mg mq2 q v k Oz\r\nmg mq-none v\r\nmn\r\n",
                    "VA 1 kmq1\r\na\r\nVA 1 kmq2 Oz\r\nb\r\nEN\r\nMN\r\n");
        }
    }

    @Test
    void base64Keys() {
        try (RawClient client = server.connect()) {
            // "bWIx" is "mb1"
            client.exchange("ms bWIx 2 b k\r\nhi\r\nmg bWIx b k v\r\nmg mb1 k v\r\nmd bWIx b k q\r\nmg mb1 v\r\n",
                    "HD kbWIx b\r\nVA 2 kbWIx b\r\nhi\r\nVA 2 kbWIx b\r\nhi\r\nEN\r\n");
            client.exchange("mg bWIx= b v\r\nmg bWI b v\r\nmg !!!! b v\r\nms mb1 1 b\r\nx\r\n",
                    "CLIENT_ERROR error decoding key\r\nCLIENT_ERROR error decoding key\r\n"
                            + "CLIENT_ERROR error decoding key\r\nCLIENT_ERROR error decoding key\r\n");
        }
    }

    @Test
    void mgErrors() {
        try (RawClient client = server.connect()) {
            client.exchange("mg\r\nmg mge zz\r\nmg mge v v\r\nmg mge O" + "a".repeat(32) + "\r\nmg mge Nabc\r\n"
                            + "mg mge T\r\nmg mge Cx\r\nmg mge Mxx\r\nmg mge Jx\r\nmg mge Dx\r\nmg mge Fx\r\n"
                            + "mg mge Fx zz\r\nmg mge Fx Nx\r\n",
                    "ERROR\r\nCLIENT_ERROR invalid flag\r\nCLIENT_ERROR duplicate flag\r\n"
                            + "CLIENT_ERROR opaque token too long\r\nCLIENT_ERROR bad token in command line format\r\n"
                            + "CLIENT_ERROR bad token in command line format\r\n"
                            + "CLIENT_ERROR bad token in command line format\r\n"
                            + "CLIENT_ERROR incorrect length for M token\r\n"
                            + "CLIENT_ERROR invalid numeric initial value\r\n"
                            + "CLIENT_ERROR invalid numeric delta value\r\n" + BAD_FORMAT
                            + "CLIENT_ERROR invalid flag\r\nCLIENT_ERROR bad token in command line format\r\n");
            client.exchange("mg " + "k".repeat(251) + " v\r\nmg mge 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\r\n"
                            + "mg mge 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\r\nmg mge O" + "a".repeat(31) + "\r\n",
                    BAD_FORMAT + "CLIENT_ERROR options flags are too long\r\nCLIENT_ERROR invalid flag\r\nEN O"
                            + "a".repeat(31) + "\r\n");
            client.exchange("mg mge-none O1 k\r\nmg mge-none k O1 v t s\r\nmg bWdl b k O1\r\n",
                    "EN O1 kmge-none\r\nEN kmge-none O1\r\nEN kbWdl b O1\r\n");
        }
    }

    @Test
    void msModesAndReturnFlags() {
        try (RawClient client = server.connect()) {
            client.exchange("ms ms1 2\r\nab\r\nms ms1 2 MA\r\ncd\r\nms ms1 2 MP k O1\r\nef\r\nmg ms1 v s\r\n",
                    "HD\r\nHD\r\nHD kms1 O1\r\nVA 6 s6\r\nefabcd\r\n");
            client.exchange("ms ms1 1 MR\r\nz\r\nms ms2 1 MR k\r\nz\r\nms ms2 1 MA\r\nz\r\nms ms2 1 MP\r\nz\r\n"
                            + "ms ms2 1 ME\r\nz\r\nms ms2 1 ME q\r\nz\r\nms ms2 1 MS q\r\ny\r\nmg ms2 v\r\n",
                    "HD\r\nNS kms2\r\nNS\r\nNS\r\nHD\r\nNS\r\nVA 1\r\ny\r\n");
            client.exchange("ms ms3 3 F7 T100 s v l h t f u\r\nabc\r\nmg ms3 f t v\r\n",
                    "HD\r\nVA 3 f7 t100\r\nabc\r\n");
            client.exchange("ms ms1 1 c ME\r\nx\r\nms ms1 1 c C1\r\nx\r\nms ms-none 1 c MR\r\nx\r\n",
                    "NS c0\r\nEX c0\r\nNS c0\r\n");
            client.send("ms ms4 1 c\r\nx\r\n");
            Matcher stored = Pattern.compile("HD c([0-9]+)\r\n").matcher(client.readLine());
            assertTrue(stored.matches());
            assertEquals(Long.parseLong(stored.group(1)), casOf(client, "ms4"));
        }
    }

    @Test
    void msCompareAndSwap() {
        try (RawClient client = server.connect()) {
            client.exchange("ms msc 1\r\na\r\n", "HD\r\n");
            long cas = casOf(client, "msc");
            client.exchange("ms msc 1 C" + (cas + 1) + "\r\nb\r\nms msc 1 C" + (cas + 1) + " q\r\nb\r\n"
                            + "ms msc-none 1 C5 q\r\nb\r\nms msc-none 1 C5 MA q\r\nb\r\nms msc 1 C0\r\nb\r\n"
                            + "ms msc 1 C" + cas + " q\r\nb\r\nmg msc v\r\n",
                    "EX\r\nEX\r\nNF\r\nNS\r\nEX\r\nVA 1\r\nb\r\n");
        }
    }

    @Test
    void msErrorsSwallowTheDataBlockOnceTheLengthIsKnown() {
        try (RawClient client = server.connect()) {
            client.exchange("ms mse 3 MX\r\nabc\r\nms mse 3 Fx\r\nabc\r\nms mse 3 zz\r\nabc\r\nms mse 3 k k\r\nabc\r\n"
                            + "ms mse 3 O" + "a".repeat(40) + "\r\nabc\r\nms mse 3 T\r\nabc\r\nms mse 3 Jx\r\nabc\r\n",
                    "CLIENT_ERROR invalid mode for ms M token\r\n" + BAD_FORMAT + "CLIENT_ERROR invalid flag\r\n"
                            + "CLIENT_ERROR duplicate flag\r\nCLIENT_ERROR opaque token too long\r\n"
                            + "CLIENT_ERROR bad token in command line format\r\n"
                            + "CLIENT_ERROR invalid numeric initial value\r\n");
            client.exchange("ms mse\r\nabc\r\nms mse x\r\nabc\r\nms mse -1\r\nabc\r\nms " + "k".repeat(251) + " 3\r\nabc\r\n"
                            + "ms mse 3 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\r\nabc\r\n",
                    BAD_FORMAT + "ERROR\r\n" + BAD_FORMAT + "ERROR\r\n" + BAD_FORMAT + "ERROR\r\n" + BAD_FORMAT + "ERROR\r\n"
                            + "CLIENT_ERROR options flags too long\r\nERROR\r\n");
            client.exchange("ms mse 2\r\nabc\r\n", "CLIENT_ERROR bad data chunk\r\nERROR\r\n");
            client.exchange("ms mse 0\r\n\r\nmg mse v s\r\n", "HD\r\nVA 0 s0\r\n\r\n");
        }
    }

    @Test
    void msWithDataArrivingInPieces() throws InterruptedException {
        try (RawClient client = server.connect()) {
            client.send("ms msp 10 k\r\n01234");
            client.send("56789\r");
            client.exchange("\nmg msp v\r\n", "HD kmsp\r\nVA 10\r\n0123456789\r\n");
        }
    }

    @Test
    void mdDeletesComparesAndQuietsHd() {
        try (RawClient client = server.connect()) {
            client.exchange("md md-none\r\nmd md-none q\r\nmd md-none k O5 q\r\nms md1 1\r\n1\r\nmd md1 q\r\nmg md1\r\n",
                    "NF\r\nNF\r\nNF kmd-none O5\r\nHD\r\nEN\r\n");
            client.exchange("ms md2 1\r\n1\r\nmd md2 C99 k\r\nmd md2 C99 q\r\nmd md2 C0\r\nmd md2 T5 v c f\r\nmg md2\r\n",
                    "HD\r\nEX kmd2\r\nEX\r\nEX\r\nHD\r\nEN\r\n");
            client.exchange("md md2 Tx\r\nmd md2 zz\r\nmd md2 k k\r\nmd " + "k".repeat(251) + "\r\n"
                            + "md md2 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\r\nmd\r\n",
                    "CLIENT_ERROR invalid or duplicate flag\r\nCLIENT_ERROR invalid or duplicate flag\r\n"
                            + "CLIENT_ERROR invalid or duplicate flag\r\n" + BAD_FORMAT
                            + "CLIENT_ERROR options flags too long\r\nERROR\r\n");
        }
    }

    @Test
    void staleWhileRevalidateCycle() {
        try (RawClient client = server.connect()) {
            client.exchange("ms sw1 1 T100\r\n1\r\nmd sw1 I T30\r\nmg sw1 v t\r\nmg sw1 v\r\nmd sw1 I q\r\nmg sw1\r\n",
                    "HD\r\nHD\r\nVA 1 t30 X W\r\n1\r\nVA 1 Z X\r\n1\r\nHD X W\r\n");
            long stale = casOf(client, "sw1");
            client.exchange("ms sw1 1 C1\r\n2\r\nms sw1 1 I C" + (stale + 1000) + "\r\n2\r\nms sw1 1 I C1\r\n2\r\n"
                            + "mg sw1 v\r\n",
                    "EX\r\nEX\r\nHD\r\nVA 1 Z X\r\n2\r\n");
            long current = casOf(client, "sw1");
            client.exchange("ms sw1 1 C" + current + "\r\n3\r\nmg sw1 v\r\n", "HD\r\nVA 1\r\n3\r\n");
            client.exchange("ms sw2 1\r\n1\r\nms sw2 1 I C1\r\n2\r\nmg sw2 v\r\n",
                    "HD\r\nHD\r\nVA 1 X W\r\n2\r\n");
            client.exchange("md sw-none I\r\n", "NF\r\n");
        }
    }

    @Test
    void maIncrementsDecrementsAndCreates() {
        try (RawClient client = server.connect()) {
            client.exchange("ma ma1\r\nma ma1 q\r\nma ma1 N0\r\nma ma1 v\r\nma ma1 v t k O1 N0 J5 D3 MD\r\n",
                    "NF\r\nNF\r\nHD\r\nVA 1\r\n1\r\nVA 1 t-1 kma1 O1\r\n0\r\n");
            client.exchange("ms ma2 2\r\n10\r\nma ma2 v MD D3\r\nmg ma2 v\r\nma ma2 MI D18446744073709551615 v\r\n"
                            + "ma ma2 M+ v\r\nma ma2 M- v\r\nma ma2 q\r\nma ma2 q v\r\nma ma2 f s h l u\r\nma ma2 v\r\n",
                    "HD\r\nVA 1\r\n7\r\nVA 2\r\n7 \r\nVA 1\r\n6\r\nVA 1\r\n7\r\nVA 1\r\n6\r\nHD\r\nVA 2\r\n10\r\n");
            client.exchange("ma ma3 N0 J10 D5 MD v q k\r\nmn\r\nma ma3 v t T100\r\nma ma3 t v\r\nma ma4 t N30 v\r\n"
                            + "ma ma5 N30 t v\r\n",
                    "VA 2 kma3\r\n10\r\nMN\r\nVA 2 t-1\r\n11\r\nVA 2 t100\r\n12\r\nVA 1 t-1\r\n0\r\nVA 1 t30\r\n0\r\n");
            long cas = casOf(client, "ma2");
            client.exchange("ma ma2 C" + (cas + 1) + " v\r\nma ma2 C" + cas + " v\r\nma ma2 C0 v\r\n",
                    "EX\r\nVA 2\r\n11\r\nVA 2\r\n12\r\n");
        }
    }

    @Test
    void maErrors() {
        try (RawClient client = server.connect()) {
            client.exchange("ms ma9 2\r\nab\r\nma ma9\r\nma ma9 q\r\nma ma9 Mx\r\nma ma9 MII\r\nma ma9 Dx\r\nma ma9 D-1\r\n"
                            + "ma ma9 Md\r\nma ma9 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\r\nma\r\n",
                    "HD\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
                            + "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
                            + "CLIENT_ERROR invalid mode for ma M token\r\nCLIENT_ERROR invalid or duplicate flag\r\n"
                            + "CLIENT_ERROR invalid or duplicate flag\r\nCLIENT_ERROR invalid or duplicate flag\r\n"
                            + "CLIENT_ERROR invalid mode for ma M token\r\nCLIENT_ERROR options flags too long\r\nERROR\r\n");
        }
    }

    @Test
    void mnAndMe() {
        try (RawClient client = server.connect()) {
            client.exchange("mn\r\nmn x y\r\nmz\r\nmgg a\r\nme\r\nme me-none\r\nme ZTE= b\r\nme " + "k".repeat(251) + "\r\n",
                    "MN\r\nMN\r\nERROR\r\nERROR\r\n" + BAD_FORMAT + "EN\r\nEN\r\n" + BAD_FORMAT);
            client.exchange("ms me1 2 T100\r\nab\r\n", "HD\r\n");
            long cas = casOf(client, "me1");
            client.send("me me1\r\nme bWUx b\r\nme me1 b\r\n");
            Pattern debug = Pattern.compile("ME me1 exp=-(99|100) la=0 cas=" + cas + " fetch=no cls=1 size=[0-9]+\r\n");
            assertTrue(debug.matcher(client.readLine()).matches());
            assertTrue(debug.matcher(client.readLine()).matches());
            client.exchange("", BAD_FORMAT);
            client.send("ms bWUy 1 b\r\nx\r\nme bWUy b\r\n");
            client.expect("HD\r\n");
            assertTrue(client.readLine().matches("ME bWUy exp=-1 la=0 cas=[0-9]+ fetch=no cls=1 size=[0-9]+\r\n"));
            client.send("mg me1\r\nme me1\r\n");
            client.expect("HD\r\n");
            assertTrue(client.readLine().matches("ME me1 exp=-[0-9]+ la=0 cas=" + cas + " fetch=yes cls=1 size=[0-9]+\r\n"));
        }
    }

    @Test
    void metaAndClassicCommandsMixOnOneConnection() {
        try (RawClient client = server.connect()) {
            client.exchange("set mix 3 0 2\r\nab\r\nmg mix v f\r\nms mix 2 F4\r\ncd\r\nget mix\r\nmd mix q\r\nget mix\r\n",
                    "STORED\r\nVA 2 f3\r\nab\r\nHD\r\nVALUE mix 4 2\r\ncd\r\nEND\r\nEND\r\n");
        }
    }

    @Test
    void explicitCasOnEveryCommand() {
        assumeFalse(RunningServer.againstMemcached(), "E is newer than memcached 1.6.18");
        try (RawClient client = server.connect()) {
            client.exchange("ms ex1 1 E1000 c\r\nx\r\nmg ex1 c\r\nmd ex1 I E2000\r\nmg ex1 c\r\nma ex2 N0 E3000 c\r\n"
                            + "ma ex2 E3001 c\r\nmg ex3 N0 E4000 c\r\n",
                    "HD c1000\r\nHD c1000\r\nHD\r\nHD c2000 X W\r\nHD c3000\r\nHD c3001\r\nHD c4000 W\r\n");
        }
    }

    @Test
    void mdDropValueKeepsTheItem() {
        assumeFalse(RunningServer.againstMemcached(), "x is newer than memcached 1.6.18");
        try (RawClient client = server.connect()) {
            client.exchange("ms dx 5 F3 T100\r\nhello\r\nmd dx x\r\nmg dx v f t\r\nmd dx x I\r\nmg dx v\r\n",
                    "HD\r\nHD\r\nVA 0 f3 t100\r\n\r\nHD\r\nVA 0 X W\r\n\r\n");
        }
    }

    @Test
    void msAppendWithNCreatesTheMissingItem() {
        assumeFalse(RunningServer.againstMemcached(), "memcached 1.6.18 answers NS, against its protocol.txt");
        try (RawClient client = server.connect()) {
            client.exchange("ms an 1 MA N100\r\nx\r\nms an 1 MP N100\r\ny\r\nmg an v t\r\n", "HD\r\nHD\r\nVA 2 t100\r\nyx\r\n");
        }
    }
}

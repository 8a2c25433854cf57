package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** lru_crawler metadump and mgdump on a manual clock: exact lines, and a dump streamed in bounded parts. */
class CrawlerDumpTest extends ProtocolTestBase {

    @Test
    void metadumpLineIsMemcachedsFormat() {
        send("set k%1 7 100 3\r\nabc\r\n");
        assertEquals("key=k%251 exp=" + (START + 100) + " la=" + START + " cas=1 fetch=no cls=1 size=30\nEND\r\n",
                send("lru_crawler metadump all\r\n"));
        clock.advance(5);
        send("get k%1\r\n");
        assertEquals("key=k%251 exp=" + (START + 100) + " la=" + (START + 5) + " cas=1 fetch=yes cls=1 size=30\nEND\r\n",
                send("lru_crawler metadump 1\r\n"));
        assertEquals("mg k%1\r\nEN\r\n", send("lru_crawler mgdump hash\r\n"));
        assertEquals("END\r\n", send("lru_crawler metadump 2\r\n"));
        clock.advance(95);
        assertEquals("END\r\n", send("lru_crawler metadump all\r\n"), "an expired item is not listed");
    }

    @Test
    void aLargeDumpComesInBoundedParts() {
        int items = 20_000;
        for (int i = 0; i < items; i++) {
            store.set(("key-" + i).getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 'v'});
        }
        TextProtocol protocol = new TextProtocol(store, server, 1);
        ByteBuf in = Unpooled.copiedBuffer("lru_crawler metadump all\r\n", StandardCharsets.US_ASCII);
        ByteBuf out = Unpooled.buffer();
        int parts = 0;
        int lines = 0;
        int largestPart = 0;
        Outcome outcome;
        do {
            outcome = protocol.process(in, out);
            parts++;
            largestPart = Math.max(largestPart, out.readableBytes());
            String text = out.toString(StandardCharsets.US_ASCII);
            lines += (int) text.chars().filter(c -> c == '\n').count();
            out.clear();
            if (outcome == Outcome.MORE_OUTPUT) {
                assertEquals(0, in.readerIndex(), "the line stays unconsumed until the dump ends");
            }
        } while (outcome == Outcome.MORE_OUTPUT);
        assertEquals(Outcome.HANDLED, outcome);
        assertEquals(in.writerIndex(), in.readerIndex());
        assertEquals(items + 1, lines, "every item once, then END");
        assertTrue(parts > 10, "parts: " + parts);
        long bound = TextCrawlerCommands.BUCKETS_PER_CALL * 7L * 80;
        assertTrue(largestPart <= bound, "largest part " + largestPart + " bytes, bound " + bound);
        in.release();
        out.release();
    }
}

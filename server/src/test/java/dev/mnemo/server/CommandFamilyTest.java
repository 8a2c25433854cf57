package dev.mnemo.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A request's command family, from its first bytes: text command names and binary opcodes. */
class CommandFamilyTest {

    /** Requests as text, with {@code \r} and {@code \n} written as escapes; {@code ''} is no bytes at all. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "get k\\r\\n|GET", "gets a b\\r\\n|GET", "set k 0 0 1\\r\\nv\\r\\n|SET", "add k|SET", "replace k|SET",
        "append k|SET", "prepend k|SET", "cas k 0 0 1 5|SET", "delete k\\r\\n|DELETE", "incr k 1|INCR_DECR",
        "decr k 1|INCR_DECR", "touch k 1|TOUCH", "gat 1 k|TOUCH", "gats 1 k|TOUCH", "mg k v\\r\\n|META",
        "ms k 1|META", "md k|META", "ma k|META", "mn\\r\\n|META", "me k|META", "stats\\r\\n|OTHER",
        "version\\n|OTHER", "flush_all|OTHER", "getsx k|OTHER", "prepends k|OTHER", "GET k|OTHER", "get|OTHER",
        "''|OTHER", "verbosity 1|OTHER",
    })
    void textCommandNames(String request, CommandFamily family) {
        String bytes = request.replace("\\r", "\r").replace("\\n", "\n");
        ByteBuf in = Unpooled.wrappedBuffer(("xx" + bytes).getBytes(StandardCharsets.US_ASCII));
        in.readerIndex(in.writerIndex()); // the protocol has consumed the request: its bytes are still read
        assertEquals(family, CommandFamily.of(in, 2));
    }

    @ParameterizedTest
    @CsvSource({
        "0x00,GET", "0x09,GET", "0x0c,GET", "0x0d,GET", "0x01,SET", "0x11,SET", "0x1a,SET", "0x04,DELETE",
        "0x14,DELETE", "0x05,INCR_DECR", "0x16,INCR_DECR", "0x1c,TOUCH", "0x1d,TOUCH", "0x24,TOUCH",
        "0x07,OTHER", "0x10,OTHER", "0x0a,OTHER", "0xff,OTHER",
    })
    void binaryOpcodes(String opcode, CommandFamily family) {
        ByteBuf in = Unpooled.buffer().writeByte(0x80).writeByte(Integer.decode(opcode)).writeZero(22);
        assertEquals(family, CommandFamily.of(in, 0));
        assertEquals(CommandFamily.OTHER, CommandFamily.of(Unpooled.buffer().writeByte(0x80), 0), "no opcode yet");
    }
}

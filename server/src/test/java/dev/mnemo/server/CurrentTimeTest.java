package dev.mnemo.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class CurrentTimeTest {

    @Test
    void holdsTheSystemClocksOfItsLastTick() {
        long secondsBefore = System.currentTimeMillis() / 1000;
        long nanosBefore = System.nanoTime();
        CurrentTime time = new CurrentTime();
        long nanosAfter = System.nanoTime();
        long secondsAfter = System.currentTimeMillis() / 1000;
        assertTrue(time.nowSeconds() >= secondsBefore && time.nowSeconds() <= secondsAfter, "seconds " + time.nowSeconds());
        assertTrue(time.nanos() >= nanosBefore && time.nanos() <= nanosAfter, "nanos " + time.nanos());

        long beforeTick = System.nanoTime();
        time.tick();
        assertTrue(time.nanos() >= beforeTick && time.nanos() <= System.nanoTime(), "a tick reads the clock again");
    }
}

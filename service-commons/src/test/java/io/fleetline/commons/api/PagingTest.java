package io.fleetline.commons.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one parser of {@code offset} and {@code limit}: defaults, 400s naming the field, clamping. */
class PagingTest {

    private static final String LIMIT_RULE = "Field 'limit' must be an integer of 1 or more; above 200 it is clamped to 200.";
    private static final String OFFSET_RULE = "Field 'offset' must be an integer of 0 or more.";

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { " " })
    void absentParametersAreOffsetZeroAndTheDefaultLimit(String value) {
        Paging paging = Paging.of(value, value, 50, 200);
        assertEquals(new Paging(0, 50, null), paging);
    }

    @Test
    void givenValuesAreServedAsAsked() {
        assertEquals(new Paging(40, 20, null), Paging.of("40", "20", 50, 200));
        assertEquals(new Paging(0, 200, null), Paging.of(" 0 ", "200", 50, 200));
    }

    @ParameterizedTest
    @ValueSource(strings = { "abc", "-1", "1.5", "1e3", "+5", "0x10", "٣" })
    void anOffsetThatIsNotAnIntegerOfZeroOrMoreIs400NamingTheField(String offset) {
        ApiException e = assertThrows(ApiException.class, () -> Paging.of(offset, null, 50, 200));
        assertEquals(400, e.status());
        assertEquals(OFFSET_RULE, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "abc", "0", "00", "-1", "1.5", "+5", "ten" })
    void aLimitThatIsNotAnIntegerOfOneOrMoreIs400NamingTheField(String limit) {
        ApiException e = assertThrows(ApiException.class, () -> Paging.of(null, limit, 50, 200));
        assertEquals(400, e.status());
        assertEquals(LIMIT_RULE, e.getMessage());
    }

    @Test
    void aLimitAboveTheMaximumIsClampedAndTheAnswerSaysSo() {
        Paging paging = Paging.of("10", "1000", 50, 200);
        assertEquals(200, paging.limit());
        assertEquals("limit 1000 is above the maximum; clamped to 200.", paging.clampMessage());

        Envelope answer = paging.page(List.of("a"), 300);
        assertEquals("limit 1000 is above the maximum; clamped to 200.", answer.fields().get("message"));
        assertEquals(new Envelope.Pagination(10, 200, 300, true), answer.fields().get("pagination"));
        assertEquals(1, answer.fields().get("count"));
    }

    @Test
    void aLimitTooLargeForALongIsClampedLikeAnyOther() {
        Paging paging = Paging.of(null, "99999999999999999999", 50, 200);
        assertEquals(200, paging.limit());
        assertEquals("limit 99999999999999999999 is above the maximum; clamped to 200.", paging.clampMessage());
    }

    @Test
    void anOffsetPastAnyTotalIsAnEmptyLastPage() {
        Paging paging = Paging.of("99999999999999999999", "10", 50, 200);
        assertEquals(Long.MAX_VALUE, paging.offset());
        assertFalse(paging.pagination(5).hasMore());
    }

    @Test
    void anUnclampedPageHasNoMessage() {
        Envelope answer = Paging.of("0", "2", 50, 200).page(List.of("a", "b"), 3);
        assertTrue(((Envelope.Pagination) answer.fields().get("pagination")).hasMore());
        assertFalse(answer.fields().containsKey("message"));
    }

    @Test
    void aDefaultAboveTheMaximumIsServedTheMaximumWithoutAMessage() {
        assertEquals(new Paging(0, 200, null), Paging.of(null, null, 500, 200));
    }
}

package org.vfiobroker.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChunkedListTest {

    private static List<Integer> numbers(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @Test
    void holdsTheElementsInOrderAtEverySizeAroundAChunk() {
        for (int n : List.of(0, 1, 63, 64, 65, 127, 128, 4093)) {
            List<Integer> source = numbers(n);
            ChunkedList<Integer> list = ChunkedList.of(source);
            assertThat(list).as("size %d", n).isEqualTo(source).hasSize(n);
            assertThat(list.toArray()).isEqualTo(source.toArray());
            assertThat(new ArrayList<>(list)).isEqualTo(source);
        }
    }

    @Test
    void aCopyWithReplacementsChangesOnlyThoseAndLeavesTheOriginal() {
        List<Integer> source = numbers(300);
        ChunkedList<Integer> list = ChunkedList.of(source);

        ChunkedList<Integer> changed = list.with(Map.of(0, -1, 64, -2, 65, -3, 299, -4));

        List<Integer> expected = new ArrayList<>(source);
        expected.set(0, -1);
        expected.set(64, -2);
        expected.set(65, -3);
        expected.set(299, -4);
        assertThat(changed).isEqualTo(expected);
        assertThat(list).as("the original").isEqualTo(source);
        assertThat(list.with(Map.of())).isEqualTo(source);
    }

    @Test
    void refusesWhatAListOfASnapshotMustNotHold() {
        ChunkedList<Integer> list = ChunkedList.of(numbers(10));
        assertThatThrownBy(() -> list.get(10)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> list.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> list.with(Map.of(10, 1))).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> list.add(1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> list.set(0, 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ChunkedList.of(java.util.Arrays.asList(1, null))).isInstanceOf(NullPointerException.class);
    }
}

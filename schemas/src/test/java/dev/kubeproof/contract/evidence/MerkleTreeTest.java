package dev.kubeproof.contract.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

class MerkleTreeTest {
    /** The leaf inputs and roots of certificate-transparency's reference tests (RFC 6962 trees of 1 to 8 leaves). */
    private static final List<String> LEAVES = List.of("", "00", "10", "2021", "3031", "40414243",
            "5051525354555657", "606162636465666768696a6b6c6d6e6f");
    private static final List<String> ROOTS = List.of(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    @Test
    void shouldComputeTheRfc6962RootOfEveryTreeSizeWhileHoldingOneHashPerLevel() {
        for (int size = 1; size <= LEAVES.size(); size++) {
            // Given the first `size` reference leaves
            MerkleTree tree = new MerkleTree();
            for (String leaf : LEAVES.subList(0, size)) {
                tree.addLeaf(HexFormat.of().parseHex(leaf));
            }
            // Then the root is the reference root
            assertThat(tree.root()).as("root of %d leaves", size).isEqualTo(ROOTS.get(size - 1));
            assertThat(tree.leaves()).isEqualTo(size);
        }
    }

    @Test
    void shouldGiveTheEmptyTreeTheHashOfNothing() {
        assertThat(new MerkleTree().root()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void shouldChangeTheRootWhenAHeadLosesItsLastRecordOrAChainDisappears() {
        // Given three chain heads
        String full = new MerkleTree().addHead("c/A/1", 3, "h3").addHead("c/A/2", 1, "x1").addHead("c/B/1", 2, "y2").root();
        // When the first chain's last record is gone (its head is sequence 2), or the last chain is gone
        String lostLast = new MerkleTree().addHead("c/A/1", 2, "h2").addHead("c/A/2", 1, "x1").addHead("c/B/1", 2, "y2").root();
        String lostChain = new MerkleTree().addHead("c/A/1", 3, "h3").addHead("c/A/2", 1, "x1").root();
        // Then neither yields the checkpointed root
        assertThat(lostLast).isNotEqualTo(full);
        assertThat(lostChain).isNotEqualTo(full);
    }

    @Test
    void shouldOrderKeysByTheirUtf8BytesAsRocksDbAndElasticsearchDo() {
        // U+FF61 is EF BD A1 in UTF-8, before U+1F600's F0 9F 98 80; in UTF-16 its FF61 comes after the surrogate D83D
        assertThat(MerkleTree.KEY_ORDER.compare("\uFF61", "\uD83D\uDE00")).isLessThan(0);
        assertThat("\uFF61".compareTo("\uD83D\uDE00")).isGreaterThan(0);
    }
}

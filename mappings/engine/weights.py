"""Weights of the learned reranker (written by ``portfolio engine train``; do not edit by hand)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from mappings.engine.model import RerankModel

WEIGHTS: dict[str, Any] | None = {
    "semantic": {
        "cold_features": ["hand_rel", "hand_log", "hand_rank_recip", "hand_top5", "hand_top15", "sent1", "sent_top3", "sent1_rel", "doc_sim", "doc_stem_sim", "doc_concept_sim", "title_sim", "std_title_sim", "coverage", "concepts_found", "gloss_hit", "is_knowledge", "kind_prior", "k_x_discussion", "p_x_seen", "k_x_account", "doing", "knowing", "std_share", "std_first", "std_second", "std_sim_rank", "twin", "std_centroid_sim", "std_centroid_first", "hand_x_std_share", "knowledge_x_std_share", "domain", "domain_gate", "hand_rel_x_gate", "std_share_x_gate", "distinct_cov", "distinct_tf", "cross_twin", "sent_win", "title_std_share", "std_agree", "title_concept_std_share", "title_concept_agree", "std_best", "values_x_values", "emb_max", "emb_top2", "emb_rel", "emb_z", "emb_rank_recip", "emb_top10", "emb_win", "emb_doc", "emb_title", "emb_std_share", "emb_x_hand"],
        "warm_features": ["knn_vote", "max_accepted", "near_accepted", "near_referred", "knn_std_share", "knn_max_sim_x_vote", "sem_accepted", "sem_accepted_rel", "sem_referred", "sem_knn_vote"],
        "mean": [0.14816727, 0.22686638, 0.03770628, 0.03420398, 0.10261194, 0.24140949, 0.14575055, 0.20058091, 0.03482578, 0.02868414, 0.01785721, 0.01359075, 0.07471412, 0.02012451, 0.43403802, 0.02262127, 0.54850746, 0.8278296, 0.08893035, 0.17933769, 0.18159204, 0.24702011, 0.15439728, 0.16243845, 0.16169154, 0.16425684, 0.15857623, 0.0756834, 0.09844117, 0.16169154, 0.03916972, 0.08745561, 2.47757079, 0.7960199, 0.10809197, 0.11160151, 0.03009222, 0.02736961, 0.02959915, 0.43889168, 0.14775951, 0.05240193, 0.0931993, 0.03394327, 0.50815975, 0.00547162, 0.33459267, 0.30814527, 0.63328225, 0.0, 0.03770628, 0.06840796, 0.78968255, 0.26150593, 0.19326047, 0.16529656, 0.10179655],
        "scale": [0.17086108, 0.2373707, 0.09888821, 0.18175277, 0.30345136, 0.24447081, 0.15080592, 0.20182186, 0.03455104, 0.02834423, 0.0361141, 0.04182668, 0.05412379, 0.03162578, 0.56338367, 0.14869279, 0.49764146, 0.17657474, 0.28464318, 0.38363483, 0.38550794, 0.31327601, 0.21055657, 0.1901654, 0.36816761, 0.37050848, 0.20645301, 0.08107628, 0.04678346, 0.36816761, 0.0873353, 0.16112544, 1.34501026, 0.36630567, 0.1441915, 0.16887838, 0.05897695, 0.05912492, 0.04375425, 0.32901457, 0.22682892, 0.12687078, 0.21637333, 0.11378938, 0.28926648, 0.00599442, 0.09877952, 0.08932299, 0.14383211, 1.0, 0.09888821, 0.25244467, 0.14254139, 0.11070691, 0.12218379, 0.16711301, 0.13489049],
        "weights": [0.03353694, 0.19415334, 0.00461138, 0.02159235, 0.13573282, -0.00519161, -0.04382993, 0.02135664, -0.07329928, -0.04862986, -0.04383194, 0.02282474, 0.08577034, -0.07702081, -0.02324981, -0.07899612, -0.22581722, 0.55296383, 0.16018425, 0.08590811, -0.00687068, 0.08907851, 0.05169736, 0.13094215, 0.16489799, 0.03591305, 0.06112147, 0.05369625, 0.04916941, 0.24802072, 0.08958269, 0.08773302, -0.19645283, -0.15263678, 0.10240978, 0.01689366, 0.02510201, 0.23629494, 0.09136497, 0.05471737, 0.19186503, -0.10789765, 0.19417151, -0.14128612, -0.04174638, 0.05416945, -0.02070217, -0.02463708, 0.1459659, 0.11026952, 0.05851191, 0.03842403, 0.194289, 0.08090339, 0.03705112, 0.0334691, 0.04803972],
        "bias": -4.86748247,
        "warm_weights": [0.0, 0.0, 0.0, -0.0, 0.0, 0.5, 0.0, 0.0, -0.0, 0.5],
        "threshold": 0.235,
        "warm_threshold": 0.246,
    },
    "words": {
        "cold_features": ["hand_rel", "hand_log", "hand_rank_recip", "hand_top5", "hand_top15", "sent1", "sent_top3", "sent1_rel", "doc_sim", "doc_stem_sim", "doc_concept_sim", "title_sim", "std_title_sim", "coverage", "concepts_found", "gloss_hit", "is_knowledge", "kind_prior", "k_x_discussion", "p_x_seen", "k_x_account", "doing", "knowing", "std_share", "std_first", "std_second", "std_sim_rank", "twin", "std_centroid_sim", "std_centroid_first", "hand_x_std_share", "knowledge_x_std_share", "domain", "domain_gate", "hand_rel_x_gate", "std_share_x_gate", "distinct_cov", "distinct_tf", "cross_twin", "sent_win", "title_std_share", "std_agree", "title_concept_std_share", "title_concept_agree", "std_best", "values_x_values"],
        "warm_features": ["knn_vote", "max_accepted", "near_accepted", "near_referred", "knn_std_share", "knn_max_sim_x_vote", "sem_accepted", "sem_accepted_rel", "sem_referred", "sem_knn_vote"],
        "mean": [0.14816727, 0.22686638, 0.03770628, 0.03420398, 0.10261194, 0.24140949, 0.14575055, 0.20058091, 0.03482578, 0.02868414, 0.01785721, 0.01359075, 0.07471412, 0.02012451, 0.43403802, 0.02262127, 0.54850746, 0.8278296, 0.08893035, 0.17933769, 0.18159204, 0.24702011, 0.15439728, 0.16243845, 0.16169154, 0.16425684, 0.15857623, 0.0756834, 0.09844117, 0.16169154, 0.03916972, 0.08745561, 2.47757079, 0.7960199, 0.10809197, 0.11160151, 0.03009222, 0.02736961, 0.02959915, 0.43889168, 0.14775951, 0.05240193, 0.0931993, 0.03394327, 0.50815975, 0.00547162],
        "scale": [0.17086108, 0.2373707, 0.09888821, 0.18175277, 0.30345136, 0.24447081, 0.15080592, 0.20182186, 0.03455104, 0.02834423, 0.0361141, 0.04182668, 0.05412379, 0.03162578, 0.56338367, 0.14869279, 0.49764146, 0.17657474, 0.28464318, 0.38363483, 0.38550794, 0.31327601, 0.21055657, 0.1901654, 0.36816761, 0.37050848, 0.20645301, 0.08107628, 0.04678346, 0.36816761, 0.0873353, 0.16112544, 1.34501026, 0.36630567, 0.1441915, 0.16887838, 0.05897695, 0.05912492, 0.04375425, 0.32901457, 0.22682892, 0.12687078, 0.21637333, 0.11378938, 0.28926648, 0.00599442],
        "weights": [0.07551627, 0.21372561, -0.01001485, 0.0266976, 0.14265532, 0.01127375, -0.02220853, 0.02092141, -0.07064536, -0.00931868, -0.06247038, 0.05316215, 0.07242238, -0.08510716, -0.03801499, -0.07595857, -0.25214324, 0.55688544, 0.1561555, 0.08735136, -0.01278817, 0.09181548, 0.0531691, 0.13594012, 0.19468389, 0.02792907, 0.04347314, 0.07445589, 0.06386013, 0.23996161, 0.12250449, 0.08321952, -0.2197442, -0.1585216, 0.12511303, 0.02333441, 0.01056189, 0.27056453, 0.09312377, 0.07943621, 0.19724539, -0.12613262, 0.20435166, -0.14093412, -0.02757706, 0.03664041],
        "bias": -4.74483352,
        "warm_weights": [0.0, 0.0, 0.0, -0.0, 0.0, 0.5, 0.0, 0.0, -0.0, 0.5],
        "threshold": 0.236,
        "warm_threshold": 0.235,
    },
}


@lru_cache(maxsize=2)
def shipped_model(semantic: bool = False) -> RerankModel:
    """The reranker trained on every labelled dev item (reading embeddings or words only)."""
    if WEIGHTS is None:
        raise RuntimeError("no reranker weights: run `portfolio engine train`")
    name = "semantic" if semantic and "semantic" in WEIGHTS else "words"
    return RerankModel.from_dict(WEIGHTS[name])

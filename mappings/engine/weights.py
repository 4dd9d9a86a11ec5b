"""Weights of the learned reranker (written by ``portfolio engine train``; do not edit by hand)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from mappings.engine.model import RerankModel

WEIGHTS: dict[str, Any] | None = {
    "semantic": {
        "cold_features": ["hand_rel", "hand_log", "hand_rank_recip", "hand_top5", "hand_top15", "sent1", "sent_top3", "sent1_rel", "doc_sim", "doc_stem_sim", "doc_concept_sim", "title_sim", "std_title_sim", "coverage", "concepts_found", "gloss_hit", "is_knowledge", "kind_prior", "k_x_discussion", "p_x_seen", "k_x_account", "doing", "knowing", "std_share", "std_first", "std_second", "std_sim_rank", "twin", "std_centroid_sim", "std_centroid_first", "hand_x_std_share", "knowledge_x_std_share", "domain", "domain_gate", "hand_rel_x_gate", "std_share_x_gate", "distinct_cov", "distinct_tf", "cross_twin", "sent_win", "title_std_share", "std_agree", "title_concept_std_share", "title_concept_agree", "std_best", "values_x_values", "emb_max", "emb_top2", "emb_rel", "emb_z", "emb_rank_recip", "emb_top10", "emb_win", "emb_doc", "emb_title", "emb_std_share", "emb_x_hand", "emb_idf_max", "emb_idf_top2", "emb_idf_rel", "emb_idf_z"],
        "warm_features": ["knn_vote", "max_accepted", "near_accepted", "near_referred", "knn_std_share", "knn_max_sim_x_vote", "sem_accepted", "sem_accepted_rel", "sem_referred", "sem_knn_vote"],
        "mean": [0.14816727, 0.22686638, 0.03770628, 0.03420398, 0.10261194, 0.24140949, 0.14575055, 0.20058091, 0.03482578, 0.02868414, 0.01785721, 0.01359075, 0.07471412, 0.02012451, 0.43403802, 0.02262127, 0.54850746, 0.8278296, 0.08893035, 0.17933769, 0.18159204, 0.24702011, 0.15439728, 0.16243845, 0.16169154, 0.16425684, 0.15857623, 0.0756834, 0.09844117, 0.16169154, 0.03916972, 0.08745561, 2.47757079, 0.7960199, 0.10809197, 0.11160151, 0.03009222, 0.02736961, 0.02959915, 0.43889168, 0.14775951, 0.05240193, 0.0931993, 0.03394327, 0.50815975, 0.00547162, 0.33459266, 0.30814527, 0.63328224, -0.0, 0.03770628, 0.06840796, 0.78968254, 0.26150593, 0.19326048, 0.16529656, 0.10179655, 0.29820029, 0.27307633, 0.59980876, -0.0],
        "scale": [0.17086108, 0.2373707, 0.09888821, 0.18175277, 0.30345136, 0.24447081, 0.15080592, 0.20182186, 0.03455104, 0.02834423, 0.0361141, 0.04182668, 0.05412379, 0.03162578, 0.56338367, 0.14869279, 0.49764146, 0.17657474, 0.28464318, 0.38363483, 0.38550794, 0.31327601, 0.21055657, 0.1901654, 0.36816761, 0.37050848, 0.20645301, 0.08107628, 0.04678346, 0.36816761, 0.0873353, 0.16112544, 1.34501026, 0.36630567, 0.1441915, 0.16887838, 0.05897695, 0.05912492, 0.04375425, 0.32901457, 0.22682892, 0.12687078, 0.21637333, 0.11378938, 0.28926648, 0.00599442, 0.09877952, 0.08932299, 0.14383211, 1.0, 0.09888821, 0.25244467, 0.1425414, 0.11070692, 0.12218379, 0.16711301, 0.13489049, 0.0929506, 0.0828088, 0.14631754, 1.0],
        "weights": [0.03918343, 0.19361501, 0.00792432, 0.02692096, 0.1338461, -0.01193074, -0.04506153, 0.02205111, -0.07546055, -0.05863527, -0.04000508, 0.02095187, 0.08609491, -0.0745398, -0.02510211, -0.08122621, -0.22390455, 0.55552377, 0.16432449, 0.08886976, -0.00864948, 0.08915149, 0.05098646, 0.12678797, 0.16426296, 0.03640147, 0.06057111, 0.04596367, 0.05827967, 0.24852376, 0.08749244, 0.08539358, -0.19488408, -0.15162437, 0.10275592, 0.01392292, 0.02204954, 0.23164521, 0.08842031, 0.05622235, 0.19019715, -0.108586, 0.19062416, -0.14206577, -0.03902738, 0.05818224, -0.06715071, -0.0655419, 0.06203769, 0.03124109, 0.04150159, 0.01438472, 0.14969543, 0.06150073, 0.0266623, 0.03810517, 0.02911275, 0.04510509, 0.05979292, 0.16838637, 0.13987422],
        "bias": -4.89841416,
        "warm_weights": [0.0, 0.0, 0.0, -0.0, 0.0, 0.5, 0.0, 0.0, -0.0, 0.5],
        "threshold": 0.25,
        "warm_threshold": 0.25,
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

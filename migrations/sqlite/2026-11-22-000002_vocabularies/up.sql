-- Seed vocabularies for matching: condition groups and conditions (MATCHING.md §5.2),
-- related condition groups (§5.3) and lived-experience tags with their categories (§5.4).
--
-- Ids are stable: they are stored in member profiles and match records, so an id must never be
-- renamed or reused. To change the vocabulary, add new rows (or retire old ones) in a later
-- migration instead of editing this one. Labels are copied verbatim from MATCHING.md.
--
-- "Learning disability" (QOF LD) is deliberately NOT a matchable condition: peer support for
-- people with a learning disability needs adapted, supported formats, so it is routed to a
-- coordinator instead of the matching engine (MATCHING.md §5.2).

CREATE TABLE condition_groups (
    id TEXT PRIMARY KEY NOT NULL,
    label TEXT NOT NULL,
    icd10_chapter TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE TABLE conditions (
    id TEXT PRIMARY KEY NOT NULL,
    group_id TEXT NOT NULL REFERENCES condition_groups (id),
    label TEXT NOT NULL,
    qof_register TEXT NULL,          -- e.g. 'HYP', NULL where the table shows –
    icd10_chapter TEXT NOT NULL,     -- as in the table, e.g. 'IX', 'IX (TIA: VI)', 'V/VI', 'mixed'
    position INTEGER NOT NULL        -- order within its group, from 1
);
CREATE INDEX conditions_group ON conditions (group_id);
CREATE TABLE related_condition_groups (
    group_a TEXT NOT NULL REFERENCES condition_groups (id),
    group_b TEXT NOT NULL REFERENCES condition_groups (id),
    -- TRUE for the mental-health rows: related only when both people list a mental-health condition
    requires_both_mental BOOLEAN NOT NULL DEFAULT FALSE,
    reason TEXT NOT NULL,
    PRIMARY KEY (group_a, group_b)
);
CREATE TABLE experience_categories (
    id TEXT PRIMARY KEY NOT NULL,
    label TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE TABLE experiences (
    id TEXT PRIMARY KEY NOT NULL,
    category_id TEXT NOT NULL REFERENCES experience_categories (id),
    label TEXT NOT NULL,
    sensitive BOOLEAN NOT NULL DEFAULT FALSE,
    -- TRUE for journey.newly_diagnosed and journey.long_term: derived from the diagnosis date
    -- when known and left out of the tag score (MATCHING.md 5.4, last paragraph)
    derived_from_stage BOOLEAN NOT NULL DEFAULT FALSE,
    position INTEGER NOT NULL
);
CREATE INDEX experiences_category ON experiences (category_id);

-- §5.2 group rows, in document order. icd10_chapter is copied from the group row as written.
-- (The cancer group row also shows QOF "CAN"; each cancer condition carries it below.)
INSERT INTO condition_groups (id, label, icd10_chapter, position) VALUES
    ('heart', 'Heart and circulation', 'IX', 1),
    ('lungs', 'Lungs and breathing', 'X', 2),
    ('metabolic', 'Diabetes, weight and hormones', 'IV', 3),
    ('kidney', 'Kidneys', 'XIV', 4),
    ('cancer', 'Cancer', 'II', 5),
    ('neuro', 'Brain, nerves and memory', 'VI (dementia V/VI)', 6),
    ('mental', 'Mental health', 'V', 7),
    ('msk', 'Muscles, bones and joints', 'XIII', 8),
    ('digestive', 'Gut and liver', 'XI', 9),
    ('pain_fatigue', 'Pain and fatigue', 'mixed', 10),
    ('sensory', 'Sight and hearing', 'VII / VIII', 11),
    ('other', 'Other long-term conditions', 'various', 12);

-- §5.2 conditions (54). qof_register is NULL where the table shows –.
INSERT INTO conditions (id, group_id, label, qof_register, icd10_chapter, position) VALUES
    ('heart.high_blood_pressure', 'heart', 'High blood pressure (hypertension)', 'HYP', 'IX', 1),
    ('heart.coronary_heart_disease', 'heart', 'Coronary heart disease (angina, past heart attack)', 'CHD', 'IX', 2),
    ('heart.heart_failure', 'heart', 'Heart failure', 'HF', 'IX', 3),
    ('heart.atrial_fibrillation', 'heart', 'Atrial fibrillation (irregular heartbeat)', 'AF', 'IX', 4),
    ('heart.stroke_tia', 'heart', 'Stroke or mini-stroke (TIA)', 'STIA', 'IX (TIA: VI)', 5),
    ('heart.peripheral_arterial_disease', 'heart', 'Poor circulation in the legs (peripheral arterial disease)', 'PAD', 'IX', 6),
    ('lungs.asthma', 'lungs', 'Asthma', 'AST', 'X', 1),
    ('lungs.copd', 'lungs', 'COPD (emphysema, chronic bronchitis)', 'COPD', 'X', 2),
    ('lungs.bronchiectasis', 'lungs', 'Bronchiectasis', NULL, 'X', 3),
    ('lungs.pulmonary_fibrosis', 'lungs', 'Pulmonary fibrosis / interstitial lung disease', NULL, 'X', 4),
    ('metabolic.type1_diabetes', 'metabolic', 'Type 1 diabetes', 'DM', 'IV', 1),
    ('metabolic.type2_diabetes', 'metabolic', 'Type 2 diabetes', 'DM', 'IV', 2),
    ('metabolic.prediabetes', 'metabolic', 'Prediabetes (raised blood sugar)', 'NDH', 'XVIII', 3),
    ('metabolic.thyroid', 'metabolic', 'Thyroid condition (underactive or overactive)', NULL, 'IV', 4),
    ('metabolic.obesity', 'metabolic', 'Living with obesity', 'OB', 'IV', 5),
    ('kidney.ckd', 'kidney', 'Chronic kidney disease', 'CKD', 'XIV', 1),
    ('kidney.kidney_failure', 'kidney', 'Kidney failure (dialysis or transplant)', NULL, 'XIV', 2),
    ('cancer.breast', 'cancer', 'Breast cancer', 'CAN', 'II', 1),
    ('cancer.prostate', 'cancer', 'Prostate cancer', 'CAN', 'II', 2),
    ('cancer.bowel', 'cancer', 'Bowel cancer', 'CAN', 'II', 3),
    ('cancer.lung', 'cancer', 'Lung cancer', 'CAN', 'II', 4),
    ('cancer.blood', 'cancer', 'Blood cancer (leukaemia, lymphoma, myeloma)', 'CAN', 'II', 5),
    ('cancer.other', 'cancer', 'Another type of cancer', 'CAN', 'II', 6),
    ('neuro.epilepsy', 'neuro', 'Epilepsy', 'EP', 'VI', 1),
    ('neuro.multiple_sclerosis', 'neuro', 'Multiple sclerosis (MS)', NULL, 'VI', 2),
    ('neuro.parkinsons', 'neuro', 'Parkinson''s', NULL, 'VI', 3),
    ('neuro.migraine', 'neuro', 'Migraine or chronic headache', NULL, 'VI', 4),
    ('neuro.dementia', 'neuro', 'Dementia (including Alzheimer''s)', 'DEM', 'V/VI', 5),
    ('neuro.mnd', 'neuro', 'Motor neurone disease', NULL, 'VI', 6),
    ('mental.depression', 'mental', 'Depression', 'DEP', 'V', 1),
    ('mental.anxiety', 'mental', 'Anxiety', NULL, 'V', 2),
    ('mental.bipolar', 'mental', 'Bipolar disorder', 'MH', 'V', 3),
    ('mental.psychosis', 'mental', 'Schizophrenia or psychosis', 'MH', 'V', 4),
    ('mental.eating_disorder', 'mental', 'Eating disorder', NULL, 'V', 5),
    ('mental.ptsd', 'mental', 'PTSD / trauma', NULL, 'V', 6),
    ('mental.substance_recovery', 'mental', 'Recovery from alcohol or drug dependence', NULL, 'V', 7),
    ('msk.osteoarthritis', 'msk', 'Osteoarthritis', NULL, 'XIII', 1),
    ('msk.rheumatoid_arthritis', 'msk', 'Rheumatoid arthritis', 'RA', 'XIII', 2),
    ('msk.osteoporosis', 'msk', 'Osteoporosis (fragile bones)', 'OST', 'XIII', 3),
    ('msk.back_pain', 'msk', 'Long-term back or neck pain', NULL, 'XIII', 4),
    ('msk.lupus_autoimmune', 'msk', 'Lupus or another autoimmune joint/connective-tissue condition', NULL, 'XIII', 5),
    ('digestive.ibd', 'digestive', 'Crohn''s disease or ulcerative colitis', NULL, 'XI', 1),
    ('digestive.ibs', 'digestive', 'Irritable bowel syndrome (IBS)', NULL, 'XI', 2),
    ('digestive.coeliac', 'digestive', 'Coeliac disease', NULL, 'XI', 3),
    ('digestive.liver', 'digestive', 'Long-term liver disease', NULL, 'XI', 4),
    ('pain_fatigue.chronic_pain', 'pain_fatigue', 'Chronic (persistent) pain', NULL, 'mixed', 1),
    ('pain_fatigue.fibromyalgia', 'pain_fatigue', 'Fibromyalgia', NULL, 'XIII', 2),
    ('pain_fatigue.me_cfs', 'pain_fatigue', 'ME / chronic fatigue syndrome', NULL, 'VI', 3),
    ('pain_fatigue.long_covid', 'pain_fatigue', 'Long COVID', NULL, 'XXII', 4),
    ('sensory.sight_loss', 'sensory', 'Sight loss', NULL, 'VII', 1),
    ('sensory.hearing_loss', 'sensory', 'Hearing loss or tinnitus', NULL, 'VIII', 2),
    ('other.hiv', 'other', 'HIV', NULL, 'I', 1),
    ('other.sickle_cell', 'other', 'Sickle cell disease', NULL, 'III', 2),
    ('other.skin', 'other', 'Long-term skin condition (psoriasis, eczema)', NULL, 'XII', 3);

-- §5.3 related groups (similarity 0.25). Each relation is stored once, with group_a < group_b in
-- plain byte-wise string order; look a pair up by sorting it first.
-- No cancer–cancer row: conditions in the same group already score 0.5 (cancer subtypes are
-- siblings in the cancer group), so §5.3's "cancer.* / cancer.*" line needs no row here.
INSERT INTO related_condition_groups (group_a, group_b, requires_both_mental, reason) VALUES
    ('heart', 'metabolic', FALSE, 'Cardio-renal-metabolic multimorbidity; shared medications and lifestyle goals'),
    ('kidney', 'metabolic', FALSE, 'Cardio-renal-metabolic multimorbidity; shared medications and lifestyle goals'),
    ('msk', 'pain_fatigue', FALSE, 'Persistent pain and fatigue management'),
    ('neuro', 'pain_fatigue', FALSE, 'Fatigue, pain, long-term neurological symptoms'),
    ('heart', 'lungs', FALSE, 'Breathlessness; shared rehabilitation'),
    ('heart', 'mental', TRUE, 'Common comorbidity; only when both people list a mental-health condition'),
    ('lungs', 'mental', TRUE, 'Common comorbidity; only when both people list a mental-health condition'),
    ('mental', 'metabolic', TRUE, 'Common comorbidity; only when both people list a mental-health condition'),
    ('kidney', 'mental', TRUE, 'Common comorbidity; only when both people list a mental-health condition'),
    ('cancer', 'mental', TRUE, 'Common comorbidity; only when both people list a mental-health condition'),
    ('mental', 'neuro', TRUE, 'Common comorbidity; only when both people list a mental-health condition'),
    ('mental', 'msk', TRUE, 'Common comorbidity; only when both people list a mental-health condition'),
    ('digestive', 'mental', TRUE, 'Common comorbidity; only when both people list a mental-health condition'),
    ('mental', 'pain_fatigue', TRUE, 'Common comorbidity; only when both people list a mental-health condition'),
    ('mental', 'sensory', TRUE, 'Common comorbidity; only when both people list a mental-health condition'),
    ('mental', 'other', TRUE, 'Common comorbidity; only when both people list a mental-health condition');

-- §5.4 lived-experience tag categories, in document order.
INSERT INTO experience_categories (id, label, position) VALUES
    ('journey', 'Where I am with my condition', 1),
    ('life', 'Everyday life', 2),
    ('work', 'Work and money', 3),
    ('feelings', 'Feelings and relationships', 4),
    ('identity', 'Identity and community', 5);

-- §5.4 lived-experience tags (32). sensitive = TRUE where the table shows ✓: not shared with
-- matches by default, and used for matching only with explicit consent.
INSERT INTO experiences (id, category_id, label, sensitive, derived_from_stage, position) VALUES
    ('journey.newly_diagnosed', 'journey', 'Newly diagnosed (in the last 6 months)', FALSE, TRUE, 1),
    ('journey.waiting_for_diagnosis', 'journey', 'Still waiting for a diagnosis', FALSE, FALSE, 2),
    ('journey.long_term', 'journey', 'Living with it for many years', FALSE, TRUE, 3),
    ('journey.more_than_one_condition', 'journey', 'Living with more than one condition', FALSE, FALSE, 4),
    ('journey.flare_up', 'journey', 'Recently had a flare-up, relapse or setback', FALSE, FALSE, 5),
    ('journey.new_treatment', 'journey', 'Starting a new treatment or medication', FALSE, FALSE, 6),
    ('journey.waiting_for_treatment', 'journey', 'Waiting for treatment or surgery', FALSE, FALSE, 7),
    ('journey.after_hospital', 'journey', 'Recently out of hospital', FALSE, FALSE, 8),
    ('journey.finished_treatment', 'journey', 'Finished active treatment (e.g. after cancer treatment)', FALSE, FALSE, 9),
    ('journey.progressive', 'journey', 'My condition is getting worse over time', TRUE, FALSE, 10),
    ('journey.device_or_equipment', 'journey', 'Getting used to a device (insulin pump, oxygen, stoma, dialysis, wheelchair)', FALSE, FALSE, 11),
    ('life.living_alone', 'life', 'Living alone', FALSE, FALSE, 1),
    ('life.carer', 'life', 'Caring for someone else', FALSE, FALSE, 2),
    ('life.cared_for', 'life', 'Relying on a carer or family for help', FALSE, FALSE, 3),
    ('life.parent', 'life', 'Parent of young children', FALSE, FALSE, 4),
    ('life.pregnancy', 'life', 'Pregnant or planning a pregnancy', TRUE, FALSE, 5),
    ('life.young_adult', 'life', 'Young adult (18–25)', FALSE, FALSE, 6),
    ('life.older_adult', 'life', 'Later life (65+) / retired', FALSE, FALSE, 7),
    ('life.rural', 'life', 'Living somewhere rural or isolated', FALSE, FALSE, 8),
    ('work.working', 'work', 'Working while managing my condition', FALSE, FALSE, 1),
    ('work.returning', 'work', 'Returning to work', FALSE, FALSE, 2),
    ('work.stopped', 'work', 'Had to stop or reduce work', FALSE, FALSE, 3),
    ('work.student', 'work', 'Studying', FALSE, FALSE, 4),
    ('work.money_worries', 'work', 'Money worries or benefits applications', TRUE, FALSE, 5),
    ('feelings.bereavement', 'feelings', 'Bereavement', TRUE, FALSE, 1),
    ('feelings.loneliness', 'feelings', 'Feeling lonely or isolated', FALSE, FALSE, 2),
    ('feelings.relationship_change', 'feelings', 'Relationship changes (separation, new relationship)', TRUE, FALSE, 3),
    ('feelings.body_image', 'feelings', 'Changes to how my body looks or works', TRUE, FALSE, 4),
    ('identity.lgbtq', 'identity', 'LGBTQ+', TRUE, FALSE, 1),
    ('identity.ethnic_minority', 'identity', 'From a Black, Asian or minoritised ethnic community', TRUE, FALSE, 2),
    ('identity.faith', 'identity', 'Faith is important to me', TRUE, FALSE, 3),
    ('identity.neurodivergent', 'identity', 'Autistic, ADHD or otherwise neurodivergent', TRUE, FALSE, 4);

-- Words for explanations (issue 10, "Explanations that are true"). A vocabulary label is
-- written for a form ("Living with obesity", "Bereavement", "Faith is important to me"), so
-- it cannot be dropped into a sentence. Each row gets the words a sentence uses:
--
-- - conditions.phrase and condition_groups.phrase: a noun phrase that reads after "live with"
--   ("You both live with COPD.", "Two others in this group also live with a lung or
--   breathing condition."): lower case except names and abbreviations, no brackets.
-- - experiences.phrase: a verb phrase in the plural present that reads after "You both"
--   ("You both care for someone else.", "You both have been bereaved.").
--
-- A later migration adding a row must give its phrase: a row without one is never put in a
-- sentence (the fact is dropped), and the explanation test over the served vocabulary fails.
--
-- room_members.explanation: for a volunteer seated as a one-to-one supporter or a group's
-- facilitator, why they were asked (the same stored shape as match_requests.explanation:
-- facts and sentences). NULL for members, who read theirs on their match request.

ALTER TABLE conditions ADD COLUMN phrase TEXT NULL;
ALTER TABLE condition_groups ADD COLUMN phrase TEXT NULL;
ALTER TABLE experiences ADD COLUMN phrase TEXT NULL;
ALTER TABLE room_members ADD COLUMN explanation TEXT NULL;

UPDATE condition_groups SET phrase = 'a heart or circulation condition' WHERE id = 'heart';
UPDATE condition_groups SET phrase = 'a lung or breathing condition' WHERE id = 'lungs';
UPDATE condition_groups SET phrase = 'diabetes or a weight or hormone condition' WHERE id = 'metabolic';
UPDATE condition_groups SET phrase = 'a kidney condition' WHERE id = 'kidney';
UPDATE condition_groups SET phrase = 'cancer' WHERE id = 'cancer';
UPDATE condition_groups SET phrase = 'a condition of the brain, nerves or memory' WHERE id = 'neuro';
UPDATE condition_groups SET phrase = 'a mental health condition' WHERE id = 'mental';
UPDATE condition_groups SET phrase = 'a muscle, bone or joint condition' WHERE id = 'msk';
UPDATE condition_groups SET phrase = 'a gut or liver condition' WHERE id = 'digestive';
UPDATE condition_groups SET phrase = 'long-term pain or fatigue' WHERE id = 'pain_fatigue';
UPDATE condition_groups SET phrase = 'sight or hearing loss' WHERE id = 'sensory';
UPDATE condition_groups SET phrase = 'a long-term condition' WHERE id = 'other';

UPDATE conditions SET phrase = 'high blood pressure' WHERE id = 'heart.high_blood_pressure';
UPDATE conditions SET phrase = 'coronary heart disease' WHERE id = 'heart.coronary_heart_disease';
UPDATE conditions SET phrase = 'heart failure' WHERE id = 'heart.heart_failure';
UPDATE conditions SET phrase = 'atrial fibrillation' WHERE id = 'heart.atrial_fibrillation';
UPDATE conditions SET phrase = 'the effects of a stroke or mini-stroke' WHERE id = 'heart.stroke_tia';
UPDATE conditions SET phrase = 'poor circulation in the legs' WHERE id = 'heart.peripheral_arterial_disease';
UPDATE conditions SET phrase = 'asthma' WHERE id = 'lungs.asthma';
UPDATE conditions SET phrase = 'COPD' WHERE id = 'lungs.copd';
UPDATE conditions SET phrase = 'bronchiectasis' WHERE id = 'lungs.bronchiectasis';
UPDATE conditions SET phrase = 'pulmonary fibrosis or interstitial lung disease' WHERE id = 'lungs.pulmonary_fibrosis';
UPDATE conditions SET phrase = 'type 1 diabetes' WHERE id = 'metabolic.type1_diabetes';
UPDATE conditions SET phrase = 'type 2 diabetes' WHERE id = 'metabolic.type2_diabetes';
UPDATE conditions SET phrase = 'prediabetes' WHERE id = 'metabolic.prediabetes';
UPDATE conditions SET phrase = 'a thyroid condition' WHERE id = 'metabolic.thyroid';
UPDATE conditions SET phrase = 'obesity' WHERE id = 'metabolic.obesity';
UPDATE conditions SET phrase = 'chronic kidney disease' WHERE id = 'kidney.ckd';
UPDATE conditions SET phrase = 'kidney failure' WHERE id = 'kidney.kidney_failure';
UPDATE conditions SET phrase = 'breast cancer' WHERE id = 'cancer.breast';
UPDATE conditions SET phrase = 'prostate cancer' WHERE id = 'cancer.prostate';
UPDATE conditions SET phrase = 'bowel cancer' WHERE id = 'cancer.bowel';
UPDATE conditions SET phrase = 'lung cancer' WHERE id = 'cancer.lung';
UPDATE conditions SET phrase = 'blood cancer' WHERE id = 'cancer.blood';
UPDATE conditions SET phrase = 'cancer' WHERE id = 'cancer.other';
UPDATE conditions SET phrase = 'epilepsy' WHERE id = 'neuro.epilepsy';
UPDATE conditions SET phrase = 'MS' WHERE id = 'neuro.multiple_sclerosis';
UPDATE conditions SET phrase = 'Parkinson''s' WHERE id = 'neuro.parkinsons';
UPDATE conditions SET phrase = 'migraine or chronic headaches' WHERE id = 'neuro.migraine';
UPDATE conditions SET phrase = 'dementia' WHERE id = 'neuro.dementia';
UPDATE conditions SET phrase = 'motor neurone disease' WHERE id = 'neuro.mnd';
UPDATE conditions SET phrase = 'depression' WHERE id = 'mental.depression';
UPDATE conditions SET phrase = 'anxiety' WHERE id = 'mental.anxiety';
UPDATE conditions SET phrase = 'bipolar disorder' WHERE id = 'mental.bipolar';
UPDATE conditions SET phrase = 'schizophrenia or psychosis' WHERE id = 'mental.psychosis';
UPDATE conditions SET phrase = 'an eating disorder' WHERE id = 'mental.eating_disorder';
UPDATE conditions SET phrase = 'PTSD or trauma' WHERE id = 'mental.ptsd';
UPDATE conditions SET phrase = 'recovery from alcohol or drug dependence' WHERE id = 'mental.substance_recovery';
UPDATE conditions SET phrase = 'osteoarthritis' WHERE id = 'msk.osteoarthritis';
UPDATE conditions SET phrase = 'rheumatoid arthritis' WHERE id = 'msk.rheumatoid_arthritis';
UPDATE conditions SET phrase = 'osteoporosis' WHERE id = 'msk.osteoporosis';
UPDATE conditions SET phrase = 'long-term back or neck pain' WHERE id = 'msk.back_pain';
UPDATE conditions SET phrase = 'lupus or another autoimmune condition' WHERE id = 'msk.lupus_autoimmune';
UPDATE conditions SET phrase = 'Crohn''s disease or ulcerative colitis' WHERE id = 'digestive.ibd';
UPDATE conditions SET phrase = 'IBS' WHERE id = 'digestive.ibs';
UPDATE conditions SET phrase = 'coeliac disease' WHERE id = 'digestive.coeliac';
UPDATE conditions SET phrase = 'long-term liver disease' WHERE id = 'digestive.liver';
UPDATE conditions SET phrase = 'chronic pain' WHERE id = 'pain_fatigue.chronic_pain';
UPDATE conditions SET phrase = 'fibromyalgia' WHERE id = 'pain_fatigue.fibromyalgia';
UPDATE conditions SET phrase = 'ME or chronic fatigue syndrome' WHERE id = 'pain_fatigue.me_cfs';
UPDATE conditions SET phrase = 'long COVID' WHERE id = 'pain_fatigue.long_covid';
UPDATE conditions SET phrase = 'sight loss' WHERE id = 'sensory.sight_loss';
UPDATE conditions SET phrase = 'hearing loss or tinnitus' WHERE id = 'sensory.hearing_loss';
UPDATE conditions SET phrase = 'HIV' WHERE id = 'other.hiv';
UPDATE conditions SET phrase = 'sickle cell disease' WHERE id = 'other.sickle_cell';
UPDATE conditions SET phrase = 'a long-term skin condition' WHERE id = 'other.skin';

UPDATE experiences SET phrase = 'were diagnosed in the last six months' WHERE id = 'journey.newly_diagnosed';
UPDATE experiences SET phrase = 'are still waiting for a diagnosis' WHERE id = 'journey.waiting_for_diagnosis';
UPDATE experiences SET phrase = 'have lived with a condition for many years' WHERE id = 'journey.long_term';
UPDATE experiences SET phrase = 'live with more than one condition' WHERE id = 'journey.more_than_one_condition';
UPDATE experiences SET phrase = 'have recently had a flare-up, relapse or setback' WHERE id = 'journey.flare_up';
UPDATE experiences SET phrase = 'are starting a new treatment or medication' WHERE id = 'journey.new_treatment';
UPDATE experiences SET phrase = 'are waiting for treatment or surgery' WHERE id = 'journey.waiting_for_treatment';
UPDATE experiences SET phrase = 'have recently come out of hospital' WHERE id = 'journey.after_hospital';
UPDATE experiences SET phrase = 'have finished active treatment' WHERE id = 'journey.finished_treatment';
UPDATE experiences SET phrase = 'live with a condition that is getting worse over time' WHERE id = 'journey.progressive';
UPDATE experiences SET phrase = 'are getting used to a device such as an insulin pump, oxygen, a stoma, dialysis or a wheelchair' WHERE id = 'journey.device_or_equipment';
UPDATE experiences SET phrase = 'live alone' WHERE id = 'life.living_alone';
UPDATE experiences SET phrase = 'care for someone else' WHERE id = 'life.carer';
UPDATE experiences SET phrase = 'rely on a carer or family for help' WHERE id = 'life.cared_for';
UPDATE experiences SET phrase = 'are parents of young children' WHERE id = 'life.parent';
UPDATE experiences SET phrase = 'are pregnant or planning a pregnancy' WHERE id = 'life.pregnancy';
UPDATE experiences SET phrase = 'are young adults' WHERE id = 'life.young_adult';
UPDATE experiences SET phrase = 'are in later life or retired' WHERE id = 'life.older_adult';
UPDATE experiences SET phrase = 'live somewhere rural or isolated' WHERE id = 'life.rural';
UPDATE experiences SET phrase = 'work while managing a health condition' WHERE id = 'work.working';
UPDATE experiences SET phrase = 'are returning to work' WHERE id = 'work.returning';
UPDATE experiences SET phrase = 'have had to stop or reduce work' WHERE id = 'work.stopped';
UPDATE experiences SET phrase = 'are studying' WHERE id = 'work.student';
UPDATE experiences SET phrase = 'have money worries or are applying for benefits' WHERE id = 'work.money_worries';
UPDATE experiences SET phrase = 'have been bereaved' WHERE id = 'feelings.bereavement';
UPDATE experiences SET phrase = 'feel lonely or isolated' WHERE id = 'feelings.loneliness';
UPDATE experiences SET phrase = 'are going through changes in a relationship' WHERE id = 'feelings.relationship_change';
UPDATE experiences SET phrase = 'are adjusting to changes in how your body looks or works' WHERE id = 'feelings.body_image';
UPDATE experiences SET phrase = 'are LGBTQ+' WHERE id = 'identity.lgbtq';
UPDATE experiences SET phrase = 'are from Black, Asian or minoritised ethnic communities' WHERE id = 'identity.ethnic_minority';
UPDATE experiences SET phrase = 'say faith is important to you' WHERE id = 'identity.faith';
UPDATE experiences SET phrase = 'are neurodivergent' WHERE id = 'identity.neurodivergent';

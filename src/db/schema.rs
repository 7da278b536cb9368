//! The schema, written by hand for both engines with the SQL types diesel's MultiConnection
//! supports (Text, Integer, BigInt, Bool, Double, Timestamp and their Nullable forms).
//! Keep it identical to `migrations/sqlite` and `migrations/postgres`.

diesel::table! {
    users (id) {
        id -> Text,
        email -> Nullable<Text>,
        email_key -> Nullable<Text>,
        display_name -> Text,
        display_name_key -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        role -> Text,
        status -> Text,
        email_verified_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        suspended_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        second_factor -> Bool,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        session_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    email_tokens (id) {
        id -> Text,
        user_id -> Text,
        purpose -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        user_id -> Nullable<Text>,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Nullable<Text>,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        failed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        target_type -> Text,
        target_id -> Nullable<Text>,
        reason -> Nullable<Text>,
        details -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    condition_groups (id) {
        id -> Text,
        label -> Text,
        icd10_chapter -> Text,
        position -> Integer,
        phrase -> Nullable<Text>,
    }
}

diesel::table! {
    conditions (id) {
        id -> Text,
        group_id -> Text,
        label -> Text,
        qof_register -> Nullable<Text>,
        icd10_chapter -> Text,
        position -> Integer,
        phrase -> Nullable<Text>,
    }
}

diesel::table! {
    related_condition_groups (group_a, group_b) {
        group_a -> Text,
        group_b -> Text,
        requires_both_mental -> Bool,
        reason -> Text,
    }
}

diesel::table! {
    experience_categories (id) {
        id -> Text,
        label -> Text,
        position -> Integer,
    }
}

diesel::table! {
    experiences (id) {
        id -> Text,
        category_id -> Text,
        label -> Text,
        sensitive -> Bool,
        derived_from_stage -> Bool,
        position -> Integer,
        phrase -> Nullable<Text>,
    }
}

diesel::table! {
    profiles (user_id) {
        user_id -> Text,
        pronouns -> Nullable<Text>,
        bio -> Nullable<Text>,
        languages -> Text,
        timezone -> Nullable<Text>,
        age_band -> Nullable<Text>,
        gender -> Nullable<Text>,
        availability -> Text,
        support_preferences -> Text,
        sharing -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_conditions (user_id, condition_id) {
        user_id -> Text,
        condition_id -> Text,
        diagnosed_year -> Nullable<Integer>,
        is_primary -> Bool,
    }
}

diesel::table! {
    user_experiences (user_id, experience_id) {
        user_id -> Text,
        experience_id -> Text,
    }
}

diesel::table! {
    check_ins (id) {
        id -> Text,
        user_id -> Text,
        instrument -> Text,
        instrument_version -> Text,
        wording -> Text,
        answers -> Text,
        score -> Double,
        level -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    volunteer_applications (id) {
        id -> Text,
        user_id -> Text,
        status -> Text,
        motivation -> Text,
        lived_experience -> Text,
        conditions -> Text,
        training_course -> Text,
        training_completed_on -> Date,
        certificate_ref -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    volunteers (user_id) {
        user_id -> Text,
        accepting -> Bool,
        one_to_one_capacity -> Integer,
        max_groups -> Integer,
        conditions_supported -> Text,
        training_expires_on -> Date,
        approved_at -> Timestamp,
        updated_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawal_reason -> Nullable<Text>,
    }
}

diesel::table! {
    volunteer_renewals (id) {
        id -> Text,
        user_id -> Text,
        status -> Text,
        training_course -> Text,
        training_completed_on -> Date,
        certificate_ref -> Nullable<Text>,
        training_expires_on -> Nullable<Date>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    blocks (blocker_id, blocked_id) {
        blocker_id -> Text,
        blocked_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rooms (id) {
        id -> Text,
        kind -> Text,
        focus_condition -> Text,
        max_size -> Integer,
        created_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        last_seq -> BigInt,
    }
}

diesel::table! {
    room_members (room_id, user_id) {
        room_id -> Text,
        user_id -> Text,
        room_role -> Text,
        joined_at -> Timestamp,
        left_at -> Nullable<Timestamp>,
        last_read_seq -> BigInt,
        explanation -> Nullable<Text>,
        muted_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    messages (id) {
        id -> Text,
        room_id -> Text,
        seq -> BigInt,
        sender_id -> Text,
        client_id -> Text,
        body -> Text,
        created_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
        hold_state -> Nullable<Text>,
        hold_category -> Nullable<Text>,
        hold_after_seq -> Nullable<BigInt>,
        hold_decided_at -> Nullable<Timestamp>,
        hold_decided_by -> Nullable<Text>,
    }
}

diesel::table! {
    crisis_flags (id) {
        id -> Text,
        message_id -> Text,
        rule_id -> Text,
        rules_version -> Text,
        severity -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    safety_alerts (id) {
        id -> Text,
        flag_id -> Nullable<Text>,
        room_id -> Text,
        message_id -> Nullable<Text>,
        severity -> Text,
        status -> Text,
        created_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<Text>,
        kind -> Text,
        raised_by -> Nullable<Text>,
        reason -> Nullable<Text>,
        due_at -> Timestamp,
        escalation_level -> Integer,
        next_escalation_at -> Nullable<Timestamp>,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<Text>,
        outcome -> Nullable<Text>,
        resolution_note -> Nullable<Text>,
    }
}

diesel::table! {
    match_requests (id) {
        id -> Text,
        user_id -> Text,
        format -> Text,
        focus_condition -> Text,
        experience_tags -> Text,
        status -> Text,
        room_id -> Nullable<Text>,
        explanation -> Nullable<Text>,
        relax_step -> Integer,
        created_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        offer_id -> Nullable<Text>,
        offer_answer -> Nullable<Text>,
        alternatives -> Nullable<Text>,
    }
}

diesel::table! {
    match_offers (id) {
        id -> Text,
        kind -> Text,
        focus_condition -> Text,
        volunteer_id -> Nullable<Text>,
        volunteer_answer -> Nullable<Text>,
        volunteer_explanation -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        outcome -> Nullable<Text>,
        room_id -> Nullable<Text>,
    }
}

diesel::table! {
    declined_pairs (user_a, user_b) {
        user_a -> Text,
        user_b -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    moderation_actions (id) {
        id -> Text,
        kind -> Text,
        actor_id -> Text,
        target_user_id -> Text,
        room_id -> Nullable<Text>,
        message_id -> Nullable<Text>,
        category -> Nullable<Text>,
        reason -> Text,
        source_type -> Nullable<Text>,
        source_id -> Nullable<Text>,
        until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        reversed_at -> Nullable<Timestamp>,
        reversed_by -> Nullable<Text>,
        reversed_reason -> Nullable<Text>,
    }
}

diesel::table! {
    mfa_totp (user_id) {
        user_id -> Text,
        secret -> Text,
        created_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        last_used_step -> Nullable<BigInt>,
    }
}

diesel::table! {
    mfa_recovery_codes (id) {
        id -> Text,
        user_id -> Text,
        code_hash -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mfa_tickets (id) {
        id -> Text,
        user_id -> Text,
        ticket_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reports (id) {
        id -> Text,
        target_type -> Text,
        target_id -> Text,
        target_user_id -> Nullable<Text>,
        room_id -> Nullable<Text>,
        message_id -> Nullable<Text>,
        category -> Text,
        status -> Text,
        open_key -> Nullable<Text>,
        queue_rank -> Integer,
        created_at -> Timestamp,
        due_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        claimed_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<Text>,
        resolved_at -> Nullable<Timestamp>,
        outcome_message -> Nullable<Text>,
        resolution_note -> Nullable<Text>,
        action_ids -> Nullable<Text>,
    }
}

diesel::table! {
    report_filings (id) {
        id -> Text,
        report_id -> Text,
        reporter_id -> Text,
        category -> Text,
        detail -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    moderator_shifts (id) {
        id -> Text,
        moderator_id -> Text,
        started_at -> Timestamp,
        away_since -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
        ended_reason -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_outbox (id) {
        id -> Text,
        alert_id -> Text,
        level -> Integer,
        body -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    hidden_messages (message_id) {
        message_id -> Text,
        action_id -> Text,
        hidden_at -> Timestamp,
    }
}

diesel::table! {
    appeals (id) {
        id -> Text,
        action_id -> Text,
        user_id -> Text,
        text -> Text,
        status -> Text,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    room_looks (id) {
        id -> Text,
        moderator_id -> Text,
        room_id -> Text,
        reason -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(email_tokens -> users (user_id));
diesel::joinable!(volunteer_applications -> users (user_id));
diesel::joinable!(volunteer_renewals -> users (user_id));
diesel::joinable!(conditions -> condition_groups (group_id));
diesel::joinable!(user_conditions -> conditions (condition_id));
diesel::joinable!(match_requests -> match_offers (offer_id));
diesel::joinable!(room_members -> rooms (room_id));
diesel::joinable!(room_members -> users (user_id));
diesel::joinable!(messages -> rooms (room_id));
diesel::joinable!(messages -> users (sender_id));
diesel::joinable!(report_filings -> reports (report_id));
diesel::joinable!(moderator_shifts -> users (moderator_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    refresh_tokens,
    email_tokens,
    outbox,
    audit_log,
    condition_groups,
    conditions,
    related_condition_groups,
    experience_categories,
    experiences,
    profiles,
    user_conditions,
    user_experiences,
    check_ins,
    volunteer_applications,
    volunteers,
    volunteer_renewals,
    blocks,
    rooms,
    room_members,
    messages,
    crisis_flags,
    safety_alerts,
    match_requests,
    match_offers,
    declined_pairs,
    moderation_actions,
    mfa_totp,
    mfa_recovery_codes,
    mfa_tickets,
    reports,
    report_filings,
    moderator_shifts,
    webhook_outbox,
    hidden_messages,
    appeals,
    room_looks,
);

//! Rotating a secret without downtime, in the real window on the sandbox: the new secret beside
//! the old one, Verify and the sheet ticked off as steps, the rotation still there after a
//! restart and in the Expiring view, and the old secret retired only once the admin finishes.

use registrar_core::model::ScopeType;
use registrar_tests::{
    click, poll, says, says_part, store_and_close, text_of, type_into, wait_for, Desktop,
};

use crate::connections::wait_for_text;
use crate::workflow::{create, open, open_app, token};

#[tokio::test]
async fn a_rotation_is_guided_in_the_window_and_outlives_a_restart() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    let (app, old) = create(
        &admin,
        "Payroll feed",
        &[("OR.Jobs.Read", ScopeType::Application)],
    )
    .await;
    open_app(&client, &app.id).await;

    click(&client, "[data-testid=rotation-start]").await;
    type_into(&client, "[data-testid=secret-description]", "Q3 rotation").await;
    click(&client, "[data-testid=secret-generate-submit]").await;
    let new = text_of(&client, "[data-testid=new-secret-value]").await;
    store_and_close(&client).await;

    wait_for_text(
        &client,
        "[data-testid=rotation-step-verified]",
        &says_part("rotation_step_not_verified"),
    )
    .await;
    assert!(
        token(&admin, &app.id, old.expose()).await.is_ok(),
        "the old secret still works"
    );
    click(&client, "[data-testid=verify-run]").await;
    let verified = says_part("rotation_step_verified");
    wait_for_text(&client, "[data-testid=rotation-step-verified]", &verified).await;
    wait_for(&client, "[data-testid=handoff-include-secret]")
        .await
        .send_keys(" ")
        .await
        .unwrap();
    crate::handoff::export(&client, "markdown", "md").await;
    let handed_over = says_part("rotation_step_handed_over");
    wait_for_text(&client, "[data-testid=rotation-step-sheet]", &handed_over).await;
    client.close().await.unwrap();

    // A restart: the rotation is still in progress, in the Expiring view and on the app.
    let client = desktop.launch().await;
    click(&client, "[data-testid=expiring-open]").await;
    let row = format!("[data-testid=rotation-row][data-app-id='{}']", app.id);
    wait_for_text(&client, &row, "Payroll feed").await;
    click(&client, &format!("{row} button")).await;
    wait_for_text(&client, "[data-testid=rotation-step-sheet]", &handed_over).await;
    let retiring = says("secrets_role_retiring", &[]);
    wait_for_text(&client, "[data-testid=app-page]", &retiring).await;

    click(&client, "[data-testid=rotation-finish]").await;
    let retires = text_of(&client, "[data-testid=rotation-retires]").await;
    let keeps = text_of(&client, "[data-testid=rotation-keeps]").await;
    assert!(keeps.contains("Q3 rotation"), "{keeps}");
    assert!(!retires.contains("Q3 rotation"), "{retires}");
    click(&client, "[data-testid=confirm-finish-rotation]").await;
    poll(
        "the rotation to end",
        || async {
            client
                .find_all(fantoccini::Locator::Css("[data-testid=rotation]"))
                .await
                .unwrap()
                .len()
        },
        |shown| *shown == 0,
    )
    .await;
    assert!(
        token(&admin, &app.id, old.expose()).await.is_err(),
        "the old secret is retired"
    );
    assert!(token(&admin, &app.id, &new).await.is_ok());
    client.close().await.unwrap();
}

/**
 * cdk-nag's AwsSolutions rules as a synthesis-time validation of the whole app: a finding that is
 * not acknowledged (Validations.of(construct).acknowledge({id, reason})) fails synthesis, and every
 * finding lands in the assembly's validation-report.json.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

export function withSecurityChecks(app: App): App {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

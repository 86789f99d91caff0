import { PortfolioConfigError } from './portfolio-config';
import { createProductApp } from './product-app';

// PORTFOLIO_CONFIG picks another configuration file (e.g. one per environment).
try {
  const { app } = createProductApp({
    configFile: process.env.PORTFOLIO_CONFIG,
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  });
  app.synth();
} catch (err) {
  if (err instanceof PortfolioConfigError) {
    // A configuration mistake is the user's to fix: one line, no stack trace.
    console.error(`Invalid portfolio configuration: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
